/** Serves the dashboard: buildApp + listen. Binds 127.0.0.1 by default; port 0 picks a free port. */
import { buildApp } from './app.js';
import type { DashboardDeps } from './deps.js';

/** What buildApp takes, and where to listen. */
export interface DashboardOptions extends DashboardDeps {
  /** default 127.0.0.1 */
  host?: string;
  /** default 8080; 0 in tests */
  port?: number;
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
