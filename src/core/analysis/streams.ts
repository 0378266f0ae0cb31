/**
 * The one stream-count name parser (DESIGN §8). A results record says how many concurrent streams
 * it ran in `streams`; records written by the reference runner only have a name, so the count is
 * read from words that say "streams": `4 Streams @ 2500k`, `4-stream test`, `8x streams`, `Single
 * stream`. `streamCount` in measures.ts combines the field and this parser. A number must sit right before the word stream — `10 Mbps Stream` is one stream at 10
 * Mbps, not ten streams, and a name that merely starts with a number says nothing.
 */

// `4 streams`, `4-stream`, `4_streams`, `4x stream`, `4 x streams`: the number, at most a joiner, the word.
const COUNT_BEFORE_WORD = /(?:^|[^\d.])(\d{1,4})\s*(?:[-_]|x\s*)?\s*streams?(?![a-z])/i;
// `streams: 4`, `streams=4`.
const COUNT_AFTER_WORD = /\bstreams?\s*[:=]\s*(\d{1,4})\b/i;
const SINGLE = /\b(?:single|one)[\s_-]*stream(?![a-z])/i;

/** Stream count named in a scenario name; undefined when the name does not say. */
export function parseStreamCount(name: string): number | undefined {
  const match = COUNT_BEFORE_WORD.exec(name) ?? COUNT_AFTER_WORD.exec(name);
  if (match?.[1] !== undefined) {
    const n = Number(match[1]);
    return n > 0 ? n : undefined;
  }
  return SINGLE.test(name) ? 1 : undefined;
}
