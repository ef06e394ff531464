/*
 * The archive keeps a request's URL, header values and SNI a character per byte, as Node's HTTP parser gives them
 * (latin1). Clients send UTF-8, so `José` is stored as `JosÃ©`: what a person reads — cat's text, and what --filter
 * compares beside the stored characters — is its UTF-8 decoding.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The stored text's UTF-8 decoding when it has a byte past ASCII and is valid UTF-8; null when there is nothing else to read. */
export function utf8Decoded(stored: string): string | null {
  if (!/[\u0080-\u00ff]/.test(stored)) return null;
  try {
    return utf8.decode(Buffer.from(stored, 'latin1'));
  } catch {
    return null;
  }
}
