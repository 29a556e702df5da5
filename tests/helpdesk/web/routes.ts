/** Every API route of the dashboard, for the "needs a session" sweep. */
export const API_ROUTES: Array<[method: 'GET' | 'POST' | 'DELETE', url: string]> = [
  ['GET', '/api/v1/session'],
  ['DELETE', '/api/v1/session'],
  ['GET', '/api/v1/tickets'],
  ['GET', '/api/v1/tickets/T-0000000000'],
  ['GET', '/api/v1/tickets/T-0000000000/telemetry'],
  ...(['acknowledge', 'assign', 'contact', 'command', 'resolve', 'reopen'] as const).map(
    (v): ['POST', string] => ['POST', `/api/v1/tickets/T-0000000000/${v}`],
  ),
  ['GET', '/api/v1/devices'],
  ['GET', '/api/v1/devices/maria/car'],
  ['GET', '/api/v1/devices/maria/car/telemetry'],
  ['GET', '/api/v1/loads'],
  ['GET', '/api/v1/loads/maria/maria-wash-1'],
  ['GET', '/api/v1/events'],
  ['GET', '/api/v1/problems'],
  ['GET', '/api/v1/problems/P-0000000000-1'],
  ['GET', '/api/v1/customers/maria/consent'],
  ['GET', '/api/v1/customers/maria/export'],
  ['POST', '/api/v1/customers/maria/erase'],
];
