/**
 * Environment variables that would point a command at a real deployment's store or keys
 * (src/config/store.ts, src/connections/master-key.ts). The demo and the ledger tour write
 * made-up users, grants and events, so they must never reach someone's real store: they
 * always run on their own embedded one and drop these for the rest of the process.
 */
const DEPLOYMENT_ENV = ['GATEHOUSE_DATABASE_URL', 'GATEHOUSE_DATA_DIR', 'GATEHOUSE_MASTER_KEY'];

export function useEmbeddedStoreOnly(command: string): void {
  for (const name of DEPLOYMENT_ENV) {
    if (process.env[name]) {
      process.stderr.write(`gatehouse ${command}: ignoring ${name}; this command always runs on its own embedded store\n`);
      delete process.env[name];
    }
  }
}
