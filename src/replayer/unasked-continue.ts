/**
 * undici's word for a 100 Continue it did not ask for (broker sends no Expect): a SocketError 'bad response', which
 * would otherwise read as one more reset or close. It is an answer from the target, not a lost connection.
 */
export function isUnaskedContinue(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return e?.code === 'UND_ERR_SOCKET' && e.message === 'bad response';
}
