export { UsageError } from './errors.js';
import { BOARD_USAGE } from './board-command.js';

export const USAGE = `evernet: connected devices, a proactive helpdesk, replayed on a virtual clock

Usage:
  evernet replay FILE [--report-json OUT] [--broker URL] [--db FILE] [--seed N] [--speed X | --fast]
                      [--dashboard [--http HOST:PORT]] [--ha-discovery]
  evernet helpdesk [--broker URL] [--mqtt-port N] [--db FILE] [--http HOST:PORT] [--world FILE]
  evernet staff add NAME [--db FILE] [--password-stdin]
${BOARD_USAGE.split('\n\n')[0]}
  evernet broker [--host H] [--port N] (--credentials FILE | --allow-anonymous)
                 [--tls-cert F --tls-key F [--tls-port N] [--tls-host H]] [--ws-port N]
                 [--data-dir DIR [--sync normal|full]] [--log-level L]
  evernet credentials add|rotate|revoke NAME [--role device|app|helpdesk|admin] [--file FILE]
  evernet credentials list [--file FILE]
  evernet help

  Live commands (helpdesk, board) take --clock-start ISO and --clock-rate N: a clock that starts at
  ISO and runs N times faster than the wall clock, for drills, demos and tests (give every process
  of one setup the same pair).

  replay   replays a scenario (e.g. scenarios/day-in-2020.yaml) on an embedded MQTT broker,
           or on any broker given by --broker mqtt://host:port, and prints a summary.
           --fast (the default) runs as fast as the machine allows; --speed 60 runs 60x real time.
           --db FILE keeps the tickets in SQLite (default: in memory).
           --dashboard serves the support dashboard during the replay (log in with a staff
           account of --db); pair it with --speed to watch the day unfold. --ha-discovery
           announces the devices to Home Assistant (retained MQTT discovery configs).
  helpdesk the helpdesk as a live service with the dashboard (default http://127.0.0.1:8080);
           without --broker it runs the embedded broker on 127.0.0.1:1883. --world names the
           customers, devices, stores and workshops (a scenario file; default the day in 2020).
           Tickets and staff accounts live in --db (default under your data directory).
  staff    staff add NAME creates a dashboard account (asks for the password, or reads it from
           standard input).
${BOARD_USAGE.split('\n\n').slice(1).join('\n\n')}  broker   the MQTT broker alone, secure by default: refuses to start without --credentials
           unless --allow-anonymous. Plain MQTT on 127.0.0.1:1883; TLS on --tls-host:8883
           (default --host); --ws-port adds WebSocket (wss with TLS). SIGHUP reloads the
           credentials and drops revoked identities. --data-dir keeps retained messages,
           persistent sessions and their queued messages across restarts (kill -9 included;
           --sync full also across power loss). See docs/security.md.
  credentials  broker identities: NAME is <customer>/<device>, <customer>/_app, or a staff name
           with --role helpdesk|admin. add/rotate print the new secret once on stdout.
           Default file: <data dir>/evernet/credentials.json.
`;
