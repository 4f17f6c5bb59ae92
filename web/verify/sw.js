// sw.js — the verifier page's service worker: keeps the page's files and the
// last trust list (and anchor) so the page verifies with the network cut.
// Files: cache first (they change only with a new binary, and a new sw.js
// brings a new cache name). The list and the anchor: network first, the cached
// copy when offline, marked X-Hromada-From-Cache: 1 and with the time it was
// fetched in X-Hromada-Fetched-At, so the page can say how old it is. The page
// checks the list itself (signature, sequence, freshness): this worker only
// keeps bytes. It never sees a credential: those never leave the page.
const VERSION = 'hromada-verify-v1';
const ASSETS = ['/verify/', '/verify/index.html', '/verify/app.js', '/verify/verify.js', '/verify/verify.css', '/verify/base45.js',
	'/verify/cbor.js', '/verify/cose_crypto.js', '/verify/x509.js', '/verify/dcc_schema.js', '/verify/document_schema.js',
	'/verify/trust_list.js', '/verify/binding.js', '/common/i18n.js', '/common/qr_read.js', '/common/style.css', '/common/vendor/jsQR.js',
	'/common/vendor/qrcode.js'];
const LIVE = ['/v1/trust-list', '/verify/anchor.json'];

self.addEventListener('install', (event) => {
	// the list and the anchor too: the page's first fetch of them came before
	// this worker controlled it, so they would otherwise be missing offline
	event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(ASSETS))
		.then(() => Promise.all(LIVE.map((url) => networkFirst(new Request(url)).catch(() => null))))
		.then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
	event.waitUntil(
		caches.keys()
			.then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
			.then(() => self.clients.claim()),
	);
});

async function networkFirst(request) {
	const cache = await caches.open(VERSION);
	try {
		const response = await fetch(request, { cache: 'no-store' });
		if (response.ok) {
			const headers = new Headers(response.headers);
			headers.set('X-Hromada-Fetched-At', String(Math.floor(Date.now() / 1000)));
			const body = await response.arrayBuffer();
			await cache.put(request.url, new Response(body, { status: 200, headers }));
			return new Response(body, { status: 200, headers });
		}
		if (response.status !== 304) return response;
	} catch {
		/* offline: the cached copy below */
	}
	const cached = await cache.match(request.url);
	if (!cached) return new Response('{"error":{"code":"offline","message":"no network and nothing cached"}}', { status: 503, headers: { 'Content-Type': 'application/json' } });
	const headers = new Headers(cached.headers);
	headers.set('X-Hromada-From-Cache', '1');
	return new Response(await cached.arrayBuffer(), { status: 200, headers });
}

self.addEventListener('fetch', (event) => {
	const url = new URL(event.request.url);
	if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
	if (LIVE.includes(url.pathname)) return event.respondWith(networkFirst(event.request));
	if (ASSETS.includes(url.pathname))
		event.respondWith(caches.match(url.pathname, { ignoreSearch: true }).then((hit) => hit || fetch(event.request)));
});
