/** The signals that stop a recording (flush, close, summary): Ctrl-C, kill, and a closed terminal or ssh session. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
