/**
 * Kept only for cli/helpdesk-command.ts, which still imports the real clock from here; the clocks live
 * in contracts/clock.ts. Remove once that import points at contracts/.
 */
export { realClock } from '../../contracts/clock.js';
