import cliProgress from 'cli-progress';
import { describeStore } from '../config/store.js';
import {
  bundleSource,
  formatReport,
  readVerifierKeyFile,
  readWitnessFolder,
  storeSource,
  verifyLog,
  type VerifyReport,
} from '../ledger/index.js';
import { openLedgerStore, type StoreFlags } from './context.js';

export interface VerifyFlags extends StoreFlags {
  bundle?: string;
  witness?: string[];
  vkey?: string;
  json?: boolean;
}

/** `gatehouse ledger verify`: exit 0 only when everything holds, 1 when something does not. */
export async function verifyCommand(flags: VerifyFlags): Promise<number> {
  const witnessed = (flags.witness ?? []).flatMap(readWitnessFolder);
  const verifierKeys = flags.vkey ? readVerifierKeyFile(flags.vkey) : undefined;
  const progress = progressBar(flags.json === true);
  let report: VerifyReport;
  try {
    if (flags.bundle) {
      report = await verifyLog(bundleSource(flags.bundle), { witnessed, verifierKeys, onProgress: progress.update });
    } else {
      const opened = await openLedgerStore(flags, { mustExist: true });
      try {
        report = await verifyLog(storeSource(opened.repo, describeStore(opened.config)), {
          witnessed,
          verifierKeys,
          onProgress: progress.update,
        });
      } finally {
        await opened.close();
      }
    }
  } finally {
    progress.stop();
  }
  process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  return report.ok ? 0 : 1;
}

/** A progress bar on a terminal, for logs big enough to take a while; silent otherwise. */
function progressBar(quiet: boolean) {
  let bar: cliProgress.SingleBar | undefined;
  return {
    update: (done: number, total: number) => {
      if (quiet || !process.stderr.isTTY || total < 100_000) return;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { stream: process.stderr, format: 'verifying [{bar}] {percentage}% {value}/{total} entries, eta {eta}s' },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0);
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop: () => bar?.stop(),
  };
}
