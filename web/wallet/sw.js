/*
 * sw.js — the wallet's service worker: keeps the page's own assets (/wallet/
 * and /common/) for when the network is slow or gone. It never touches /v1/:
 * API answers hold personal data and are neither cached nor served from here.
 */
const CACHE = 'hromada-wallet-assets-v1';
const ASSETS = [
	'/wallet/', '/wallet/app.js', '/wallet/device.js', '/wallet/history.js', '/wallet/wallet.css',
	'/wallet/manifest.webmanifest', '/common/i18n.js', '/common/qr_read.js', '/common/vendor/jsQR.js', '/common/vendor/qrcode.js',
];

self.addEventListener('install', (event) => {
	event.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
	event.waitUntil(caches.keys()
		.then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
		.then(() => self.clients.claim()));
});

function isAsset(url) {
	return url.origin === self.location.origin && url.pathname !== '/wallet/origin.json' &&
		(url.pathname.startsWith('/wallet/') || url.pathname.startsWith('/common/'));
}

/* network first (a new version shows at once), the kept copy when offline */
self.addEventListener('fetch', (event) => {
	const url = new URL(event.request.url);
	if (event.request.method !== 'GET' || !isAsset(url)) return;
	event.respondWith(fetch(event.request).then((response) => {
		if (response.ok) {
			const copy = response.clone();
			caches.open(CACHE).then((c) => c.put(event.request, copy));
		}
		return response;
	}).catch(() => caches.match(event.request).then((hit) => hit || Response.error())));
});
