/** Types for the dashboard's time formatter (helpdesk/web/public/js/time.js, plain JavaScript), for the unit tests that import it. */
declare module '*/public/js/time.js' {
  export interface WallClock { year: number; month: number; day: number; hour: number; minute: number; second: number; abbr: string; zone: string }
  export const FALLBACK_ZONE: string;
  export function wallClock(ms: number, zone: string | null | undefined): WallClock;
  export function formatTime(ms: number | null | undefined, zone: string | null | undefined, options?: { date?: boolean; seconds?: boolean; showZone?: boolean }): string;
  export function zoneLabel(ms: number, zone: string | null | undefined): string;
  export function formatWall(w: WallClock, options?: { date?: boolean; seconds?: boolean; showZone?: boolean }): string;
  export function wallLabel(w: WallClock): string;
  export function zonedDate(ms: number, zone: string | null | undefined): Date;
}
