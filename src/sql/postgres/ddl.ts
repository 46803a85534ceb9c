// CREATE/ALTER/DROP/COMMENT and the administrative statements: which objects they act on.
// Objects a grant can name (schema.name) are recorded with ddl; a whole schema is
// `schema.*` (dropping or renaming it touches every relation in it); objects of the
// cluster or database as a whole (roles, extensions, languages, servers…) make the
// statement admin. Object types: https://www.postgresql.org/docs/17/sql-commands.html
import type { Privilege } from '../types.js';
import { qualifiedName, relationName, type Collector } from './collector.js';
import { as, asRangeVar, isObj, list, names, str, sval, type Obj } from './nodes.js';
import { ADMIN, DDL, type Handler, type Outcome } from './outcome.js';

/** Object types that belong to no schema: only admin may create, change or drop them. */
const ADMIN_OBJECTS = new Set([
  'OBJECT_ACCESS_METHOD', 'OBJECT_CAST', 'OBJECT_DATABASE', 'OBJECT_DEFACL', 'OBJECT_EVENT_TRIGGER',
  'OBJECT_EXTENSION', 'OBJECT_FDW', 'OBJECT_FOREIGN_SERVER', 'OBJECT_LANGUAGE', 'OBJECT_LARGEOBJECT',
  'OBJECT_PARAMETER_ACL', 'OBJECT_PUBLICATION', 'OBJECT_PUBLICATION_NAMESPACE', 'OBJECT_PUBLICATION_REL',
  'OBJECT_ROLE', 'OBJECT_SUBSCRIPTION', 'OBJECT_TABLESPACE', 'OBJECT_TRANSFORM', 'OBJECT_USER_MAPPING',
]);

/** Types whose name list ends in a sub-object of a table: the table is the prefix. */
const ON_TABLE = new Set(['OBJECT_COLUMN', 'OBJECT_TABCONSTRAINT', 'OBJECT_TRIGGER', 'OBJECT_POLICY', 'OBJECT_RULE']);

const RELATIONS = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_INDEX', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE']);

/** The qualified name an object node spells: a name list, ObjectWithArgs or TypeName. */
function nameParts(v: unknown): string[] | undefined {
  const plain = names(v);
  if (plain) return plain;
  const withArgs = as(v, 'ObjectWithArgs') ?? (isObj(v) && 'objname' in v ? v : undefined);
  if (withArgs) return names(withArgs['objname']);
  const typeName = as(v, 'TypeName') ?? (isObj(v) && 'names' in v ? v : undefined);
  if (typeName) return names(typeName['names']);
  return undefined;
}

/** Records the object `v` of type `objtype`; undefined if it names nothing a grant can cover. */
export function addNamed(c: Collector, objtype: string, v: unknown, privilege: Privilege): [string, string] | undefined {
  let found: [string, string] | undefined;
  if (objtype === 'OBJECT_SCHEMA') {
    const schema = sval(v) ?? str(v);
    if (schema !== undefined) found = [schema, '*'];
  } else {
    const parts = nameParts(v)?.slice(0, ON_TABLE.has(objtype) ? -1 : undefined);
    if (parts && parts.length > 0) found = qualifiedName(parts);
  }
  if (found) c.add(...found, privilege);
  return found;
}

/** A schema-level statement on named objects: ddl, or admin for cluster-wide object types. */
function onObjects(objtype: string, objects: readonly unknown[], c: Collector, outcome: Outcome): Outcome {
  if (ADMIN_OBJECTS.has(objtype)) return { ...ADMIN, flags: outcome.flags ?? [] };
  let unresolved = false;
  for (const o of objects) if (!addNamed(c, objtype, o, 'ddl')) unresolved = true;
  return unresolved ? { ...outcome, requires: 'ddl' } : outcome;
}

const claim = (c: Collector, v: unknown, privilege: Privilege): void => {
  const rv = asRangeVar(v);
  if (rv) c.claim(rv, privilege);
};

const claimAll = (c: Collector, v: unknown, privilege: Privilege): void => list(v).forEach((x) => claim(c, x, privilege));

/** The named object of a statement field, as ddl; requires ddl on everything if unnamed. */
const named =
  (objtype: string, field: string): Handler =>
  (n, c) =>
    addNamed(c, objtype, n[field], 'ddl') ? DDL : { ...DDL, requires: 'ddl' };

/** Statements that claim one relation field as ddl. */
const onRelation =
  (field: string, cls: Outcome['class'] = 'ddl'): Handler =>
  (n, c) => {
    claim(c, n[field], 'ddl');
    return { class: cls };
  };

// ALTER TABLE subcommands that weaken a safeguard or hand the table to someone else.
const ADMIN_SUBCOMMANDS = new Set(['AT_ChangeOwner', 'AT_DisableRowSecurity', 'AT_NoForceRowSecurity', 'AT_DisableTrigAll']);

function alterTable(n: Obj, c: Collector): Outcome {
  const cmds = list(n['cmds']).map((x) => as(x, 'AlterTableCmd') ?? {});
  const admin = cmds.some((cmd) => ADMIN_SUBCOMMANDS.has(str(cmd['subtype']) ?? ''));
  claim(c, n['relation'], admin ? 'admin' : 'ddl');
  for (const cmd of cmds) {
    // ATTACH/DETACH PARTITION and INHERIT/NO INHERIT change the other table too.
    claim(c, as(cmd['def'], 'PartitionCmd')?.['name'], 'ddl');
    if (cmd['subtype'] === 'AT_AddInherit' || cmd['subtype'] === 'AT_DropInherit') claim(c, cmd['def'], 'ddl');
  }
  return admin ? ADMIN : DDL;
}

function rename(n: Obj, c: Collector): Outcome {
  const type = str(n['renameType']) ?? '';
  const newname = str(n['newname']) ?? '';
  if (ADMIN_OBJECTS.has(type)) return ADMIN;
  if (type === 'OBJECT_SCHEMA') {
    c.add(str(n['subname']) ?? '', '*', 'ddl');
    c.add(newname, '*', 'ddl');
    return DDL;
  }
  // A renamed object appears under its new name, in the same schema: cover that name too.
  const rel = asRangeVar(n['relation']);
  if (rel) {
    c.claim(rel, 'ddl');
    if (RELATIONS.has(type)) c.add(relationName(rel)[0], newname, 'ddl');
    return DDL;
  }
  const found = addNamed(c, type, n['object'], 'ddl');
  if (!found) return { ...DDL, requires: 'ddl' };
  if (!ON_TABLE.has(type)) c.add(found[0], newname, 'ddl');
  return DDL;
}

function setSchema(n: Obj, c: Collector): Outcome {
  const type = str(n['objectType']) ?? '';
  if (ADMIN_OBJECTS.has(type)) return ADMIN;
  const newschema = str(n['newschema']) ?? '';
  // The object moves: it needs ddl where it was and where it lands.
  const rel = asRangeVar(n['relation']);
  if (rel) c.claim(rel, 'ddl');
  const found = rel ? relationName(rel) : addNamed(c, type, n['object'], 'ddl');
  if (!found) return { ...DDL, requires: 'ddl' };
  c.add(newschema, found[1], 'ddl');
  return DDL;
}

function grant(n: Obj, c: Collector): Outcome {
  const objtype = str(n['objtype']) ?? '';
  for (const o of list(n['objects'])) {
    if (n['targtype'] === 'ACL_TARGET_ALL_IN_SCHEMA') c.add(sval(o) ?? '', '*', 'admin');
    else if (asRangeVar(o)) claim(c, o, 'admin');
    else if (!ADMIN_OBJECTS.has(objtype)) addNamed(c, objtype, o, 'admin');
  }
  return ADMIN;
}

function createSchema(n: Obj, c: Collector): Outcome {
  const schema = str(n['schemaname']) ?? str((n['authrole'] as Obj | undefined)?.['rolename']);
  if (schema !== undefined) c.add(schema, '*', 'ddl');
  // AUTHORIZATION hands the new schema to a role: an ownership change.
  return n['authrole'] !== undefined ? ADMIN : schema !== undefined ? DDL : { ...DDL, requires: 'ddl' };
}

function createTable(n: Obj, c: Collector): Outcome {
  claim(c, n['relation'], 'ddl');
  // INHERITS / PARTITION OF attach the new table to a parent, whose queries then see it.
  claimAll(c, n['inhRelations'], 'ddl');
  return DDL;
}

export const DDL_HANDLERS: Record<string, Handler> = {
  CreateStmt: createTable,
  CreateForeignTableStmt: (n, c) => createTable(isObj(n['base']) ? n['base'] : {}, c),
  CreateTableAsStmt: (n, c) => {
    claim(c, (n['into'] as Obj | undefined)?.['rel'], 'ddl');
    return DDL;
  },
  ViewStmt: onRelation('view'),
  IndexStmt: onRelation('relation'),
  CreateSeqStmt: onRelation('sequence'),
  AlterSeqStmt: onRelation('sequence'),
  CreateTrigStmt: onRelation('relation'),
  CreatePolicyStmt: onRelation('table'),
  AlterPolicyStmt: onRelation('table'),
  RuleStmt: onRelation('relation'),
  CompositeTypeStmt: onRelation('typevar'),
  AlterTableStmt: alterTable,
  RenameStmt: rename,
  AlterObjectSchemaStmt: setSchema,
  CreateSchemaStmt: createSchema,
  CreateFunctionStmt: named('OBJECT_FUNCTION', 'funcname'),
  AlterFunctionStmt: named('OBJECT_FUNCTION', 'func'),
  DefineStmt: named('OBJECT_TYPE', 'defnames'),
  CreateEnumStmt: named('OBJECT_TYPE', 'typeName'),
  CreateRangeStmt: named('OBJECT_TYPE', 'typeName'),
  AlterEnumStmt: named('OBJECT_TYPE', 'typeName'),
  AlterTypeStmt: named('OBJECT_TYPE', 'typeName'),
  CreateDomainStmt: named('OBJECT_DOMAIN', 'domainname'),
  AlterDomainStmt: named('OBJECT_DOMAIN', 'typeName'),
  AlterCollationStmt: named('OBJECT_COLLATION', 'collname'),
  CreateConversionStmt: named('OBJECT_CONVERSION', 'conversion_name'),
  CreateStatsStmt: (n, c) => {
    for (const rel of list(n['relations'])) claim(c, rel, 'ddl');
    return named('OBJECT_STATISTIC_EXT', 'defnames')(n, c);
  },
  AlterStatsStmt: named('OBJECT_STATISTIC_EXT', 'defnames'),
  AlterTSDictionaryStmt: named('OBJECT_TSDICTIONARY', 'dictname'),
  AlterTSConfigurationStmt: named('OBJECT_TSCONFIGURATION', 'cfgname'),
  CreateOpClassStmt: named('OBJECT_OPCLASS', 'opclassname'),
  CreateOpFamilyStmt: named('OBJECT_OPFAMILY', 'opfamilyname'),
  AlterOpFamilyStmt: named('OBJECT_OPFAMILY', 'opfamilyname'),
  AlterOperatorStmt: named('OBJECT_OPERATOR', 'opername'),
  AlterObjectDependsStmt: (n, c) => {
    if (asRangeVar(n['relation'])) return onRelation('relation')(n, c);
    return named(str(n['objectType']) ?? '', 'object')(n, c);
  },
  DropStmt: (n, c) => onObjects(str(n['removeType']) ?? '', list(n['objects']), c, { class: 'ddl', flags: ['drop'] }),
  TruncateStmt: (n, c) => {
    claimAll(c, n['relations'], 'ddl');
    return { class: 'ddl', flags: ['truncate'] };
  },
  CommentStmt: (n, c) => onObjects(str(n['objtype']) ?? '', [n['object']], c, DDL),
  GrantStmt: grant,
  AlterOwnerStmt: (n, c) => {
    claim(c, n['relation'], 'admin');
    addNamed(c, str(n['objectType']) ?? '', n['object'], 'admin');
    return ADMIN;
  },
};

/** Statements on roles, the cluster, extensions, servers, replication…: admin, always. */
export const ADMIN_KINDS = new Set([
  'AlterDatabaseRefreshCollStmt', 'AlterDatabaseSetStmt', 'AlterDatabaseStmt', 'AlterDefaultPrivilegesStmt',
  'AlterEventTrigStmt', 'AlterExtensionContentsStmt', 'AlterExtensionStmt', 'AlterFdwStmt', 'AlterForeignServerStmt',
  'AlterPublicationStmt', 'AlterRoleSetStmt', 'AlterRoleStmt', 'AlterSubscriptionStmt', 'AlterSystemStmt',
  'AlterTableMoveAllStmt', 'AlterTableSpaceOptionsStmt', 'AlterUserMappingStmt', 'CreateAmStmt', 'CreateCastStmt',
  'CreateEventTrigStmt', 'CreateExtensionStmt', 'CreateFdwStmt', 'CreateForeignServerStmt', 'CreatePLangStmt',
  'CreatePublicationStmt', 'CreateRoleStmt', 'CreateSubscriptionStmt', 'CreateTableSpaceStmt', 'CreateTransformStmt',
  'CreateUserMappingStmt', 'CreatedbStmt', 'DropOwnedStmt', 'DropRoleStmt', 'DropSubscriptionStmt',
  'DropTableSpaceStmt', 'DropUserMappingStmt', 'DropdbStmt', 'GrantRoleStmt', 'ImportForeignSchemaStmt',
  'LoadStmt', 'ReassignOwnedStmt', 'SecLabelStmt',
]);
