/**
 * Reading a client's queue page by page, past damage. A page whose rows cannot be read (a page of
 * the file that went bad after start) is read again row by row through the index; a row that cannot
 * be read, or whose packet cannot be parsed (setAside), is moved to the table `damaged`, counted and
 * reported, so the rest of the queue still flows instead of the session getting the same first part
 * of it on every reconnect.
 */
import type Database from 'better-sqlite3';
import { PAGE, type Row, type SqlitePersistenceOptions, type Statements } from './db.js';

export function createQueuePages(db: Database.Database, s: Statements, onUnreadable: SqlitePersistenceOptions['onUnreadable']) {
  let unreadable = 0;

  function setAside(clientId: string, row: { id: number; packet: string | null; payload: Buffer | null }, reason: string): void {
    unreadable++;
    try {
      db.transaction(() => {
        s.putDamaged.run(row.id, clientId, row.packet, row.payload, reason);
        s.delQueued.run(row.id);
      })();
    } catch {
      // the page holding it cannot be written either: it stays, and is stepped over again next time
    }
    onUnreadable?.({ clientId, rowId: row.id, reason });
  }

  /** the readable rows among the queue's next ids, up to a page of them (fewer only at the end of the queue) */
  function rowByRow(clientId: string, after: number, last: number): Row[] {
    const rows: Row[] = [];
    while (rows.length < PAGE) {
      const ids = s.queuedIds.all(clientId, after, last);
      if (ids.length === 0) break;
      for (const { id } of ids) {
        try {
          const row = s.queuedById.get(id);
          if (row) rows.push(row);
        } catch (why) {
          setAside(clientId, { id, packet: null, payload: null }, `row unreadable: ${(why as Error).message}`);
        }
      }
      after = ids[ids.length - 1]!.id;
    }
    return rows;
  }

  return {
    /** the queue's rows after `after` up to `last`, oldest first, at most a page; fewer only at its end */
    page(clientId: string, after: number, last: number): Row[] {
      try {
        return s.queuePage.all(clientId, after, last);
      } catch {
        return rowByRow(clientId, after, last);
      }
    },
    setAside,
    /** queued messages moved aside so far */
    get unreadable(): number {
      return unreadable;
    },
  };
}
