// undici's own modules, loaded one by one (src/session/http.ts): the runner needs its Agent and its errors, not the
// fetch, WebSocket, cookie and cache code that undici's index.js loads with them. Typed where they are used.
declare module 'undici/lib/dispatcher/agent.js';
declare module 'undici/lib/core/errors.js';
declare module 'undici/lib/dispatcher/env-http-proxy-agent.js';
