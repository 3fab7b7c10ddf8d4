// A Tab event as the wire format v1 defines it (see README "Wire format").
export interface TabEvent {
  tab: string;
  type: string;
  /** A finite number, or a string for `unique` (and other string-valued types). */
  value: number | string;
  /** Event time, epoch milliseconds. */
  time: number;
  client: string;
  /** Optional unique event id (≤ 128 chars), used by the dedup window. */
  id?: string;
}
