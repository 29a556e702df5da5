/**
 * The clients' process: forks bench/security/clients.ts under tsx and sends it one request at a time.
 */
import { forkClients, type ChildClients } from './ipc.js';
import type { Reply, Request } from './clients.js';

export type Clients = ChildClients<Request, Reply>;

export function startClients(): Clients {
  return forkClients<Request, Reply>(new URL('./clients.ts', import.meta.url), 'bench clients');
}
