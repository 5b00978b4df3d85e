// A server for working on the page without rebuilding the binary, which embeds the
// page's files: serves /, /app.js and /style.css from src/serve/web and passes every
// other request on to a running `wiebetaalt serve`.
//
//   wiebetaalt serve --rules rules --addr 127.0.0.1:8080 &
//   node e2e/dev-server.mjs 127.0.0.1:8080 [port]
//   CHROMIUM=/usr/bin/chromium node e2e/pagina.mjs http://127.0.0.1:PORT
import { createServer, request } from "node:http";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const [api = "127.0.0.1:8080", port = "8081"] = process.argv.slice(2);
const [apiHost, apiPort] = api.split(":");
const web = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "serve", "web");

// The same three routes as the binary, and nothing else from the directory.
const FILES = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/app.js": ["app.js", "text/javascript; charset=utf-8"],
  "/style.css": ["style.css", "text/css; charset=utf-8"],
};

const server = createServer(async (req, res) => {
  const path = new URL(req.url, "http://localhost").pathname;
  const file = req.method === "GET" && FILES[path];
  if (file) {
    const [name, type] = file;
    res.writeHead(200, { "Content-Type": type, "Cache-Control": "no-store" });
    res.end(await readFile(join(web, name)));
    return;
  }
  const upstream = request(
    { host: apiHost, port: apiPort, method: req.method, path: req.url, headers: req.headers },
    (reply) => {
      res.writeHead(reply.statusCode, reply.headers);
      reply.pipe(res);
    },
  );
  upstream.on("error", () => {
    res.writeHead(502, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ error: { code: "bad_gateway", message: "de API is niet bereikbaar" } }));
  });
  req.pipe(upstream);
});

server.listen(Number(port), "127.0.0.1", () => {
  console.log(`pagina op http://127.0.0.1:${server.address().port}, API op ${api}`);
});
