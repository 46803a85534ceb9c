import { Option, type Command } from 'commander';
import type { AuditMode } from '../gateway/engine.js';
import { parseListen, type Listen } from './listen.js';

export interface GatewayFlags {
  pgListen: Listen;
  /** false with --no-pg. */
  pg: boolean;
  pgRequireTls?: boolean;
  auditMode: AuditMode;
}

/** --pg-listen, --no-pg, --pg-require-tls and --audit-mode, for `serve` and `demo`. */
export function withGatewayOptions(command: Command, defaults: { pgListen?: string } = {}): Command {
  return command
    .addOption(
      new Option('--pg-listen <host:port>', 'where the PostgreSQL gateway listens')
        .env('GATEHOUSE_PG_LISTEN')
        .argParser(parseListen)
        .default(parseListen(defaults.pgListen ?? '127.0.0.1:15432'), defaults.pgListen ?? '127.0.0.1:15432'),
    )
    .addOption(new Option('--no-pg', 'do not run the PostgreSQL gateway'))
    .addOption(new Option('--pg-require-tls', 'refuse PostgreSQL clients that do not ask for TLS').env('GATEHOUSE_PG_REQUIRE_TLS'))
    .addOption(
      new Option('--audit-mode <mode>', 'strict: a statement runs only once its ledger entry is durable; async: it does not wait (see docs/gateway.md)')
        .choices(['strict', 'async'])
        .env('GATEHOUSE_AUDIT_MODE')
        .default('strict'),
    );
}

export interface MysqlFlags {
  mysqlListen: Listen;
  /** false with --no-mysql. */
  mysql: boolean;
  mysqlRequireTls?: boolean;
}

/** --mysql-listen, --no-mysql and --mysql-require-tls, for `serve`. */
export function withMysqlOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--mysql-listen <host:port>', 'where the MySQL/MariaDB gateway listens')
        .env('GATEHOUSE_MYSQL_LISTEN')
        .argParser(parseListen)
        .default(parseListen('127.0.0.1:13306'), '127.0.0.1:13306'),
    )
    .addOption(new Option('--no-mysql', 'do not run the MySQL/MariaDB gateway'))
    .addOption(new Option('--mysql-require-tls', 'refuse MySQL clients that do not switch to TLS').env('GATEHOUSE_MYSQL_REQUIRE_TLS'));
}
