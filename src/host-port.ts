/** HOST:PORT as it is written, an IPv6 address in brackets: [::1]:8080 (as --listen takes it, as cat shows a peer). */
export const hostPort = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
