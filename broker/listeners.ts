/**
 * The broker's listeners: plain TCP, TLS (node:tls) and WebSocket (ws, optionally over https), each
 * handing every connection to one `accept` function.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';

export type Accept = (stream: Duplex, remoteAddress: string | undefined, req?: http.IncomingMessage) => void;

export interface Listener {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface TlsFiles {
  cert: string | Buffer;
  key: string | Buffer;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

const closeServer = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

export async function listenTcp(host: string, port: number, accept: Accept): Promise<Listener> {
  // no Nagle: a lone QoS 1 message (a command, a replay's control call) must not wait for the peer's delayed ACK
  const server = net.createServer({ noDelay: true }, (socket) => accept(socket, socket.remoteAddress));
  const bound = await listen(server, host, port);
  return { url: `mqtt://${hostForUrl(host)}:${bound}`, port: bound, close: () => closeServer(server) };
}

export async function listenTls(host: string, port: number, files: TlsFiles, accept: Accept): Promise<Listener> {
  const server = tls.createServer({ cert: files.cert, key: files.key, minVersion: 'TLSv1.2' }, (socket) => accept(socket, socket.remoteAddress));
  server.on('tlsClientError', () => {
    // a failed handshake (wrong CA, plain MQTT on the TLS port) only ends that connection
  });
  const bound = await listen(server, host, port);
  return { url: `mqtts://${hostForUrl(host)}:${bound}`, port: bound, close: () => closeServer(server) };
}

/** WebSocket listener for browser tools (subprotocol mqtt); wss when TLS files are given. */
export async function listenWs(host: string, port: number, accept: Accept, files?: TlsFiles): Promise<Listener> {
  const server = files ? https.createServer({ cert: files.cert, key: files.key, minVersion: 'TLSv1.2' }) : http.createServer();
  server.on('request', (_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n');
  });
  const wss = new WebSocketServer({ server, maxPayload: 1024 * 1024 });
  wss.on('connection', (ws, req) => {
    accept(createWebSocketStream(ws), req.socket.remoteAddress, req);
  });
  const bound = await listen(server, host, port);
  return {
    url: `${files ? 'wss' : 'ws'}://${hostForUrl(host)}:${bound}/mqtt`,
    port: bound,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await closeServer(server);
    },
  };
}
