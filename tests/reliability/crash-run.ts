/**
 * What the crash tests share: a throw-away directory holding a broker process's data, the helpdesk
 * process's database and the devices' outboxes; the evening's fleet of real device agents on that
 * broker; and the wait for the helpdesk to have all the devices published before it decides. Started
 * by the test, torn down after it (fleet, every process, the directory).
 */
import { afterEach } from 'vitest';
import type { LoadedScenario } from '../../scenarios/load.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { startFleet, type Fleet } from './devices.js';
import { diagnose, killAll, startBroker, startHelpdesk, type BrokerProc, type HelpdeskProc, type HelpdeskState } from './processes.js';
import { until } from '../helpers/until.js';

export interface CrashRun {
  /** the broker's data directory (start it again here to keep its sessions) */
  brokerDir: string;
  /** the helpdesk's database file */
  db: string;
  broker: BrokerProc;
  helpdesk: HelpdeskProc;
  fleet: Fleet;
}

/** Call inside a describe block; `start` it in the test. */
export function crashRuns(prefix: string): { start(scenario: LoadedScenario, helpdesk?: { crashAfterTicketOpened?: boolean }): Promise<CrashRun> } {
  const tmp = tempDirPerTest(prefix); // removed after the hook below has stopped what used it
  let fleet: Fleet | null = null;
  afterEach(async () => {
    await fleet?.stop();
    fleet = null;
    await killAll();
  });
  return {
    async start(scenario, options = {}) {
      const brokerDir = tmp.join('broker');
      const db = tmp.join('helpdesk.db');
      const broker = await startBroker(brokerDir);
      const helpdesk = await startHelpdesk({ brokerUrl: broker.url, db, startAt: scenario.startMs, ...options });
      fleet = await startFleet(scenario, broker.url, tmp.join('outbox'));
      return { brokerDir, db, broker, helpdesk, fleet };
    },
  };
}

/** waits until `helpdesk` has accepted `expected` messages (failing with what each side counted), then lets it decide up to `to` */
export async function settle(helpdesk: HelpdeskProc, fleet: Fleet, expected: number, to: number): Promise<HelpdeskState> {
  let last: HelpdeskState | null = null;
  await until(async () => (last = await helpdesk.state()).stats.accepted >= expected, 15_000, () => diagnose(fleet, expected, last));
  return helpdesk.advance(to);
}
