export { UsageError } from './errors.js';
import { BOARD_USAGE } from './board-command.js';

export const USAGE = `evernet: connected devices, a proactive helpdesk, replayed on a virtual clock

Usage:
  evernet replay FILE [--report-json OUT] [--broker URL] [--db FILE] [--seed N] [--speed X | --fast]
                      [--dashboard [--http HOST:PORT]] [--ha-discovery]
  evernet helpdesk [--broker URL [--registration trust-broker|pending]] [--mqtt-port N] [--db FILE]
                   [--http HOST:PORT] [--world FILE] [--time-zone ZONE]
                   [--tariff bundled|FILE|URL|fixed:EUR_PER_KWH] [--tariff-fallback fixed:EUR_PER_KWH]
                   [--grid-fee EUR_PER_KWH] [--levies EUR_PER_KWH] [--vat PERCENT] [--tariff-refresh HH:MM]
                   [--tariff-config FILE]
  evernet staff add NAME [--db FILE] [--password-stdin]
  evernet customers list|add|remove [ID] [--db FILE] ...       (evernet customers help)
  evernet devices list|add|remove|accept|reject [CUSTOMER/DEVICE] [--db FILE] ...   (evernet devices help)
${BOARD_USAGE.split('\n\n')[0]}
  evernet broker [--host H] [--port N] (--credentials FILE | --allow-anonymous)
                 [--tls-cert F --tls-key F [--tls-port N] [--tls-host H]] [--ws-port N]
                 [--data-dir DIR [--sync normal|full]] [--log-level L]
  evernet credentials add|rotate|revoke NAME [--role device|app|helpdesk|admin] [--file FILE]
  evernet credentials list [--file FILE]
  evernet help

  Live commands (helpdesk, board) take --clock-start ISO, --clock-rate N and --clock-origin ISO: a
  clock that reads ISO at the wall time --clock-origin (default: now) and runs N times faster than
  the wall clock, for drills, demos and tests (give every process of one setup the same three).

  replay   replays a scenario (e.g. scenarios/day-in-2020.yaml) on an embedded MQTT broker,
           or on any broker given by --broker mqtt://host:port, and prints a summary.
           --fast (the default) runs as fast as the machine allows; --speed 60 runs 60x real time.
           --db FILE keeps the tickets in SQLite (default: in memory).
           --dashboard serves the support dashboard during the replay (log in with a staff
           account of --db); pair it with --speed to watch the day unfold. --ha-discovery
           announces the devices to Home Assistant (retained MQTT discovery configs).
  helpdesk the helpdesk as a live service with the dashboard (default http://127.0.0.1:8080);
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
           docs/tariffs.md.
  customers, devices
           the registry in --db: list, add and remove customers and devices; accept or reject
           devices that announced themselves. A running helpdesk picks changes up within a second.
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
