const STOPWORDS = new Set(['a', 'an', 'and', 'are', 'as', 'at', 'by', 'each', 'for', 'how', 'in', 'is', 'it', 'of', 'on', 'or', 'the', 'then', 'to', 'what', 'when', 'with']);

/** Lower-case words of `text`, without stopwords or punctuation. */
export function terms(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 0 && !STOPWORDS.has(t));
}
