// Times in PKI declarations: an ISO date, or an offset from now ("-30d", "+10d").
import { parseDuration } from '../scenario/duration.ts';

/** Resolves "-30d", "+1h" or an ISO date against now. */
export function resolveWhen(text: string, now: Date): Date {
  const rel = /^([+-])(.+)$/.exec(text.trim());
  if (rel) {
    const ms = parseDuration(rel[2]!);
    if (ms === undefined) throw new Error(`'${text}' is not an offset like -30d`);
    const at = new Date(now.getTime() + (rel[1] === '-' ? -ms : ms));
    if (Number.isNaN(at.getTime())) throw new Error(`'${text}' is further than a date can go`);
    return at;
  }
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new Error(`'${text}' is not a date`);
  return d;
}
