/** Serves the dashboard: buildApp + listen. Binds 127.0.0.1 by default; port 0 picks a free port. */
import type { Logger } from 'pino';
import type { Tariff } from '../schedule/tariff.js';
import type { StaffStore } from '../staff/store.js';
import { buildApp } from './app.js';
import type { DashboardHelpdesk } from './deps.js';
import type { SlaPolicy } from './sla.js';

export interface DashboardOptions {
  helpdesk: DashboardHelpdesk;
  staff: StaffStore;
  log: Logger;
  host?: string;
  /** default 8080; 0 in tests */
  port?: number;
  tariff?: Tariff;
  sla?: SlaPolicy;
  secureCookie?: boolean;
}

export interface RunningDashboard {
  url: string;
  stop(): Promise<void>;
}

export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const app = buildApp(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 8080 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 8080);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.log.info({ url }, 'dashboard listening');
  let stopped = false;
  return {
    url,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
    },
  };
}
