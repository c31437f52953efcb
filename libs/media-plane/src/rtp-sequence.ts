/**
 * Packets missing from a stream, by RTP sequence number (16 bits, wrapping):
 * the span from the first to the last number heard, less the numbers heard.
 * A duplicate or a packet out of order loses nothing (counted step by step,
 * a step back would read as 65,535 lost).
 */
export function lostPackets(sequences: readonly number[]): number {
  if (sequences.length === 0) return 0;
  let extended = sequences[0];
  let [lowest, highest] = [extended, extended];
  const heard = new Set([extended]);
  for (let i = 1; i < sequences.length; i++) {
    const step = (sequences[i] - sequences[i - 1] + 0x10000) % 0x10000;
    extended += step < 0x8000 ? step : step - 0x10000;
    heard.add(extended);
    lowest = Math.min(lowest, extended);
    highest = Math.max(highest, extended);
  }
  return highest - lowest + 1 - heard.size;
}
