/**
 * The message loop between a bench and its client process (forked under tsx, so the clients' CPU is
 * not the broker's): the parent asks one request at a time and waits for the reply of the type it
 * expects; the child answers each request with its handler's reply (or `{ type: 'error' }`), and
 * `{ type: 'exit' }` ends it.
 */
import { fork } from 'node:child_process';

type Message = { type: string };
type ErrorReply = { type: 'error'; message: string };

export interface ChildClients<Req extends Message, Rep extends Message> {
  ask<T extends Rep['type']>(req: Req, expect: T): Promise<Extract<Rep, { type: T }>>;
  /** sends `exit` and waits for the process to end (killed after 5 s) */
  stop(): Promise<void>;
}

/** Forks `script` (a file next to the caller, as a URL) and talks to it; `name` is for error messages. */
export function forkClients<Req extends Message, Rep extends Message>(script: URL, name: string): ChildClients<Req, Rep> {
  const child = fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return {
    ask(req, expect) {
      return new Promise((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`${name} exited with ${code} during ${req.type}`));
        child.once('exit', onExit);
        child.once('message', (reply: Rep | ErrorReply) => {
          child.off('exit', onExit);
          if (reply.type === 'error') reject(new Error(`${name}: ${(reply as ErrorReply).message}`));
          else if (reply.type !== expect) reject(new Error(`${name} answered ${reply.type} to ${req.type}`));
          else resolve(reply as Extract<Rep, { type: typeof expect }>);
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
        child.send({ type: 'exit' });
      });
    },
  };
}

/** In the child: answers every request but `exit` with `handle`'s reply (none for null); `exit` disconnects. */
export function serveRequests<Req extends Message, Rep extends Message>(handle: (req: Exclude<Req, { type: 'exit' }>) => Promise<Rep | null>): void {
  const send = (reply: Rep | ErrorReply) => process.send!(reply);
  process.on('message', (req: Req) => {
    if (req.type === 'exit') {
      process.disconnect();
      return;
    }
    handle(req as Exclude<Req, { type: 'exit' }>).then(
      (reply) => reply && send(reply),
      (e: Error) => send({ type: 'error', message: e.message }),
    );
  });
}
