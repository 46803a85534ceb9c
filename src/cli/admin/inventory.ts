import { Command, Option } from 'commander';
import type { InventoryRow } from '../../control/inventory.js';
import { action } from '../action.js';
import { ApiClient } from '../client.js';
import { printJson, printTable, when } from '../table.js';
import { example, withApi, type OutputFlags } from './common.js';

interface InventoryFlags extends OutputFlags {
  format: 'table' | 'csv' | 'json';
}

/** `gatehouse inventory`: who has access to what, now (the auditor's question). */
export function inventoryCommand(): Command {
  return example(
    withApi(
      new Command('inventory')
        .description('list every user and service account with its effective access, one line per principal and connection')
        .addOption(new Option('--format <format>', 'table for people, csv for spreadsheets, json for scripts').choices(['table', 'csv', 'json']).default('table')),
    ),
    'gatehouse inventory',
    'gatehouse inventory --format csv > access-2026-q2.csv',
  ).action(
    action(async (flags: InventoryFlags) => {
      const client = ApiClient.from(flags);
      const format = flags.json ? 'json' : flags.format;
      if (format === 'csv') {
        process.stdout.write(await client.get<string>('/inventory', { query: { format: 'csv' }, text: true }));
        return;
      }
      const rows = await client.get<InventoryRow[]>('/inventory', { query: { format: 'json' } });
      if (format === 'json') return printJson(rows);
      const lines: unknown[][] = [];
      for (const r of rows) {
        const base = [r.name, r.kind, r.role, r.status, r.groups];
        if (r.access.length === 0) lines.push([...base, '-', '-', when(r.last_login_at)]);
        for (const a of r.access) {
          const privileges = a.privileges.map((p) => `${p.privilege}:${p.objects.join('|')}`).join(' ');
          lines.push([...base, a.connectionName, privileges, when(r.last_login_at)]);
        }
      }
      printTable('principals', ['principal', 'kind', 'role', 'status', 'groups', 'connection', 'access', 'last login'], lines);
    }),
  );
}
