/** The admin plane (/__admin), loaded at its first request: a mock that is never administered never loads express. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MockHandle } from './handle.js';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function lazyAdminHandler(handle: MockHandle): NodeHandler {
  let adminApp: NodeHandler | undefined;
  return (req, res) => {
    if (adminApp) return adminApp(req, res);
    import('./admin.js').then(
      (m) => {
        adminApp ??= m.adminApp(handle) as unknown as NodeHandler;
        adminApp(req, res);
      },
      (e: unknown) => {
        res
          .writeHead(500, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ error: 'server_error', problems: [(e as Error).message] }));
      },
    );
  };
}
