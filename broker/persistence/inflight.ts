/**
 * Message ids of queued packets that were handed to a connection, per client, both ways (id -> row
 * for acknowledgements, row -> id for a stream of the queue). They belong to one connection: a
 * resumed session starts with none, and they are never written to disk.
 */
export function createInflight() {
  const clients = new Map<string, { byMsg: Map<number, number>; byRow: Map<number, number> }>();

  const of = (clientId: string) => {
    let c = clients.get(clientId);
    if (!c) clients.set(clientId, (c = { byMsg: new Map(), byRow: new Map() }));
    return c;
  };

  return {
    set(clientId: string, messageId: number, rowId: number): void {
      const c = of(clientId);
      c.byMsg.set(messageId, rowId);
      c.byRow.set(rowId, messageId);
    },
    row: (clientId: string, messageId: number): number | undefined => clients.get(clientId)?.byMsg.get(messageId),
    messageId: (clientId: string, rowId: number): number | undefined => clients.get(clientId)?.byRow.get(rowId),
    /** whether the row has a message id of the current connection */
    has: (clientId: string, rowId: number): boolean => clients.get(clientId)?.byRow.has(rowId) ?? false,
    delete(clientId: string, messageId: number): void {
      const c = clients.get(clientId);
      const rowId = c?.byMsg.get(messageId);
      if (!c || rowId === undefined) return;
      c.byMsg.delete(messageId);
      if (c.byRow.get(rowId) === messageId) c.byRow.delete(rowId);
      if (c.byMsg.size === 0) clients.delete(clientId);
    },
    forget(clientId: string): void {
      clients.delete(clientId);
    },
  };
}
