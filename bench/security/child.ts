/**
 * The clients' process: forks bench/security/clients.ts under tsx and sends it one request at a time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Reply, Request } from './clients.js';

export interface Clients {
  ask<T extends Reply['type']>(req: Request, expect: T): Promise<Extract<Reply, { type: T }>>;
  stop(): Promise<void>;
}

export function startClients(): Clients {
  const script = fileURLToPath(new URL('./clients.ts', import.meta.url));
  const child: ChildProcess = fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return {
    ask(req, expect) {
      return new Promise((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`bench clients exited with ${code} during ${req.type}`));
        child.once('exit', onExit);
        child.once('message', (reply: Reply) => {
          child.off('exit', onExit);
          if (reply.type === 'error') reject(new Error(`bench clients: ${reply.message}`));
          else if (reply.type !== expect) reject(new Error(`bench clients answered ${reply.type} to ${req.type}`));
          else resolve(reply as Extract<Reply, { type: typeof expect }>);
        });
        child.send(req);
      });
    },
    stop() {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill(), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'exit' } satisfies Request);
      });
    },
  };
}
