/**
 * What `evernet help`, `evernet help COMMAND` and `evernet COMMAND --help` print: one entry per
 * command (its synopsis and what it does); the overview is all of them.
 */
export { UsageError } from './errors.js';
import { BOARD_USAGE } from './board-command.js';
import { CREDENTIALS_USAGE } from './credentials-command.js';
import { CUSTOMERS_USAGE } from './customers-command.js';
import { DEVICES_USAGE } from './devices-command.js';

export interface CommandHelp {
  /** the lines of `Usage:` in the overview */
  synopsis: string;
  /** the full synopsis, for the command's own help (default: synopsis) */
  detail?: string;
  /** what it does, indented as in the overview */
  text: string;
}

const [boardSynopsis, boardText] = BOARD_USAGE.replace(/\n$/, '').split('\n\n') as [string, string];
const indent = (usage: string) => usage.replace(/^usage: /, '  ').replace(/^ {7}/gm, '  ');

export const COMMANDS_HELP: Readonly<Record<string, CommandHelp>> = {
  replay: {
    synopsis: `  evernet replay FILE [--report-json OUT] [--report-html OUT] [--report-customers all|none|N]
                      [--broker URL] [--db FILE] [--seed N] [--speed X | --fast]
                      [--dashboard [--http HOST:PORT]] [--ha-discovery] [--log-level L]
                      [--hosts N|auto] [--shards N|auto] [--shard-broker auto|aedes|mosquitto]
                      [--cluster NATS_URLS --cluster-mqtt MQTT_URLS --db postgres://…
                       [--partitions N] [--workers N]]`,
    text: `  replay   replays a scenario (e.g. scenarios/day-in-2020.yaml) on an embedded MQTT broker,
           or on any broker given by --broker mqtt://host:port, and prints a summary. Exit code 3
           when the scenario's expect: block is not met (docs/scenarios.md#expectations).
           --fast (the default) runs as fast as the machine allows; --speed 60 runs 60x real time.
           --db FILE keeps the tickets in SQLite (default: in memory).
           --report-customers lists the tickets, faults and loads of all customers, none or the
           first N (default: all up to 100 customers, else none); the figures per device kind
           are always in the report (docs/fleets.md#the-report-of-a-fleet).
           --dashboard serves the support dashboard during the replay (log in with a staff
           account of --db); pair it with --speed to watch the day unfold. --ha-discovery
           announces the devices to Home Assistant (retained MQTT discovery configs).
           --hosts runs the devices in N processes of their own and --shards splits them over N
           broker processes (default auto: in this process up to 1,000 devices, else one host a
           core and the shards the connection limit needs); the report is the same either way.
           --shard-broker: what the shards run (default auto: Mosquitto where it is installed,
           it routes for a fraction of aedes' CPU; else aedes processes of evernet's own).
           A fleet the machine cannot carry is refused before it starts (docs/fleets.md#engine).
           --cluster replays over a running NATS cluster: --workers helpdesk workers (default 2)
           serve its partitions, their data in PostgreSQL, the devices here or in --hosts, and
           --dashboard shows every partition; the report is the embedded run's
           (docs/scale.md#a-replay-over-the-cluster).`,
  },
  check: {
    synopsis: '  evernet check FILE...',
    text: `  check    validates scenario files without running them: every problem with file:line:col,
           path and what was expected, warnings for what would not play (a fault after the end).
           Exit code 0 when every file is valid, 1 otherwise. See docs/scenarios.md.`,
  },
  helpdesk: {
    synopsis: `  evernet helpdesk [--broker URL [--registration trust-broker|pending]] [--mqtt-port N] [--db FILE]
                   [--http HOST:PORT] [--world FILE] [--time-zone ZONE]
                   [--tariff bundled|FILE|URL|fixed:EUR_PER_KWH] [--tariff-fallback fixed:EUR_PER_KWH]
                   [--grid-fee EUR_PER_KWH] [--levies EUR_PER_KWH] [--vat PERCENT] [--tariff-refresh HH:MM]
                   [--tariff-config FILE] [--keep-raw HOURS] [--keep-minutes DAYS]
                   [--silent-after N] [--offline-after MIN]
                   [--notify-webhook URL --notify-secret S] [--notify-smtp HOST:PORT --notify-from ADDR [--notify-to ADDR]]
  evernet helpdesk --cluster NATS_URLS --cluster-mqtt MQTT_URLS --db postgres://… [--partitions N]
                   [--worker-id ID] [--http HOST:PORT] [the flags above but --broker and --mqtt-port]`,
    text: `  helpdesk the helpdesk as a live service with the dashboard (default http://127.0.0.1:8080);
           without --broker it runs the embedded broker on 127.0.0.1:1883. Customers and devices
           live in its registry in --db (default under your data directory), with tickets and staff
           accounts; --world FILE seeds it from a scenario file (customers, devices, stores,
           workshops). A device that announces itself waits for staff to accept it (dashboard, or
           evernet devices accept); --registration trust-broker registers it at once, for a
           --broker that authenticates its devices. --time-zone: of customers who register through
           a device (default this machine's). See docs/devices.md.
           Loads are planned on --tariff: the bundled 2020 prices (default), a price file (CSV or
           aWATTar JSON), an aWATTar-format feed URL (cached in --db, refreshed daily at
           --tariff-refresh, default 14:00 Europe/Berlin), or fixed:0.32 (EUR/kWh); --grid-fee,
           --levies and --vat go on top of market prices; --tariff-fallback prices what the feed
           does not cover. --tariff-config FILE says all of it in YAML (time-of-use too). See
           docs/tariffs.md. Telemetry is kept raw for --keep-raw hours (48) and as one-minute
           aggregates for --keep-minutes days (90; docs/telemetry.md); a device that misses
           --silent-after reporting intervals (10) or stays offline --offline-after minutes (10)
           gets a device-offline ticket (docs/detection.md). Contacts also go out, when asked, as a
           signed webhook (--notify-webhook, --notify-secret) and as e-mail (--notify-smtp,
           --notify-from, --notify-to); each attempt is noted on the ticket (docs/customers.md).
           With --cluster it is one worker of a NATS cluster (start one process per worker): it
           serves its share of the --partitions (default 4), and with --http the dashboard of
           every partition, staff accounts from the database's public schema. See docs/scale.md.`,
  },
  staff: {
    synopsis: '  evernet staff add NAME [--db FILE] [--password-stdin]',
    text: `  staff    staff add NAME creates a dashboard account (asks for the password, or reads it from
           standard input).`,
  },
  customers: {
    synopsis: '  evernet customers list|add|remove|consent|export|erase [ID] [--db FILE] ...   (evernet customers --help)',
    detail: indent(CUSTOMERS_USAGE),
    text: `  customers
           the registry in --db: list, add and remove customers; a device needs its customer first.
           A running helpdesk picks changes up within a second. consent shows what a customer
           consented to; export writes everything evernet holds about them as one JSON document
           (--out FILE); erase deletes it, keeping their tickets pseudonymised; each is written to the
           customer's audit log with --by (docs/customers.md).`,
  },
  devices: {
    synopsis: '  evernet devices list|add|remove|accept|reject [CUSTOMER/DEVICE] [--db FILE] ...   (evernet devices --help)',
    detail: indent(DEVICES_USAGE),
    text: `  devices  the registry in --db: list, add and remove devices; accept or reject devices that
           announced themselves. A running helpdesk picks changes up within a second.`,
  },
  board: { synopsis: boardSynopsis, text: boardText },
  broker: {
    synopsis: `  evernet broker [--host H] [--port N] (--credentials FILE | --allow-anonymous)
                 [--tls-cert F --tls-key F [--tls-port N] [--tls-host H]] [--ws-port N]
                 [--data-dir DIR [--sync normal|full]] [--log-level L]`,
    text: `  broker   the MQTT broker alone, secure by default: refuses to start without --credentials
           unless --allow-anonymous. Plain MQTT on 127.0.0.1:1883; TLS on --tls-host:8883
           (default --host); --ws-port adds WebSocket (wss with TLS). SIGHUP reloads the
           credentials and drops revoked identities. --data-dir keeps retained messages,
           persistent sessions and their queued messages across restarts (kill -9 included;
           --sync full also across power loss). See docs/security.md.`,
  },
  credentials: {
    synopsis: `  evernet credentials add|rotate|revoke NAME [--role device|app|helpdesk|admin] [--file FILE]
  evernet credentials list [--file FILE]`,
    detail: `${indent(CREDENTIALS_USAGE.replace(' | evernet credentials list', '\n       evernet credentials list'))}`,
    text: `  credentials  broker identities: NAME is <customer>/<device>, <customer>/_app, or a staff name
           with --role helpdesk|admin. add/rotate print the new secret once on stdout.
           Default file: <data dir>/evernet/credentials.json.`,
  },
  cluster: {
    synopsis: '  evernet cluster up [--nodes N] [--partitions N] [--dir DIR] [--host H] [--log-level L]',
    text: `  cluster  cluster up runs a local NATS cluster for development in the foreground: --nodes
           nats-server processes (3) on free ports of --host (127.0.0.1), each with JetStream, an
           MQTT listener for devices and the mapping of their messages to --partitions partitions
           (4) by customer, and the partition stream. Prints the NATS and MQTT URLs; Ctrl-C stops
           every node. --dir keeps the nodes' data (default a temp folder, removed at stop). Needs
           nats-server (Debian: apt-get install nats-server). See docs/scale.md.`,
  },
};

const CLOCK = `  Live commands (helpdesk, board) take --clock-start ISO, --clock-rate N and --clock-origin ISO: a
  clock that reads ISO at the wall time --clock-origin (default: now) and runs N times faster than
  the wall clock, for drills, demos and tests (give every process of one setup the same three).`;

const LIVE = new Set(['helpdesk', 'board']);

/** `evernet help COMMAND`, `evernet COMMAND --help`; undefined for an unknown command */
export function commandUsage(command: string): string | undefined {
  const h = Object.hasOwn(COMMANDS_HELP, command) ? COMMANDS_HELP[command] : undefined;
  if (!h) return undefined;
  return `Usage:\n${h.detail ?? h.synopsis}\n\n${h.text}\n${LIVE.has(command) ? `\n${CLOCK}\n` : ''}`;
}

const entries = Object.values(COMMANDS_HELP);
export const USAGE = `evernet: connected devices, a proactive helpdesk, replayed on a virtual clock

Usage:
${entries.map((h) => h.synopsis).join('\n')}
  evernet help [COMMAND]          (or evernet COMMAND --help)

${CLOCK}

${entries.map((h) => h.text).join('\n')}
`;
