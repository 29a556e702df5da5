/** A one-line progress bar for a TTY (nothing when output is piped). */
export function progressBar(stream: NodeJS.WriteStream) {
  let last = -1;
  return {
    update(done: number, total: number): void {
      if (!stream.isTTY) return;
      const pct = Math.floor((done / total) * 100);
      if (pct === last) return;
      last = pct;
      const width = 30;
      const fill = Math.round((pct / 100) * width);
      stream.write(`\r  replaying [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(pct).padStart(3)} %`);
    },
    end(): void {
      if (stream.isTTY && last >= 0) stream.write('\r\x1b[2K');
    },
  };
}
