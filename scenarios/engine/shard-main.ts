/**
 * A broker shard process (started by shards.ts): an embedded aedes on 127.0.0.1 and a free port,
 * which it prints as one JSON line on stdout. It ends when its parent goes away (stdin closes).
 */
import { createBroker } from '../../broker/server.js';
import { realClock } from '../../contracts/index.js';
import { createLogger } from '../../log/logger.js';

async function main(): Promise<void> {
  const log = createLogger({ clock: realClock, level: process.argv[2] ?? 'warn' });
  const broker = await createBroker({ host: '127.0.0.1', port: 0, log }).start();
  process.stdin.on('end', () => void broker.stop().finally(() => process.exit(0)));
  process.stdin.resume();
  process.stdout.write(JSON.stringify({ url: broker.url }) + '\n');
}

main().catch((e: Error) => {
  process.stderr.write(`evernet broker shard: ${e.message}\n`);
  process.exit(1);
});
