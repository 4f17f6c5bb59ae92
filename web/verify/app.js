// app.js — the verifier page (served by the trust role at /verify/): reads a
// credential QR (camera, picture or pasted text), verifies it offline against
// the cached, pinned trust list, shows the answer in plain words, and runs the
// verifier's side of holder binding (binding.js).
//
// Trust: the page pins the first trust-list signer it sees (/verify/anchor.json,
// kept in localStorage with the newest list sequence it accepted — public data,
// nothing personal) and refuses a list under another key or with a lower
// sequence. The service worker (sw.js) keeps the page and the last list so the
// page verifies with the network cut. Nothing about a checked person is stored.
import { t as translateId, translate, languageSwitch } from '/common/i18n.js';
import { readQrFile, readQrFrom } from '/common/qr_read.js';
import { verifyCredential, trustStoreNew, STAGES, formatTime } from './verify.js';
import { openTrustList, readAnchor } from './trust_list.js';
import { makeChallenge, checkResponse } from './binding.js';
import { DOCUMENT_SCHEMAS } from './document_schema.js';

const PAGE = 'verify';
const t = (id, vars) => translateId(PAGE, id, vars);
const $ = (id) => document.getElementById(id);
const ANCHOR_KEY = 'hromada.verify.anchor', SEQUENCE_KEY = 'hromada.verify.sequence';

const state = { store: trustStoreNew(), trust: null, trustError: null, last: null, challenge: null, timer: null, scanning: null };

/* --- the trust list ---------------------------------------------------------- */

function stored(key) {
	try {
		return JSON.parse(localStorage.getItem(key));
	} catch {
		return null;
	}
}

async function fetchJSON(url) {
	const response = await fetch(url, { cache: 'no-cache' });
	if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
	return response;
}

async function loadTrust() {
	state.trustError = null;
	let pinned = stored(ANCHOR_KEY);
	try {
		const fresh = await readAnchor(await (await fetchJSON('/verify/anchor.json')).json());
		if (!pinned) {
			pinned = { kid: fresh.kid, certificate: fresh.certificate };
			localStorage.setItem(ANCHOR_KEY, JSON.stringify(pinned));
		} else if (pinned.certificate !== fresh.certificate) {
			state.trustError = t('anchorChanged');
		}
	} catch {
		/* offline, or no anchor served: the pinned one (if any) still counts */
	}
	if (!pinned) {
		state.trustError = state.trustError || t('trustNone');
		return renderTrust();
	}
	let response, text;
	try {
		response = await fetchJSON('/v1/trust-list');
		text = await response.text();
	} catch {
		state.trustError = state.trustError || t('trustNone');
		return renderTrust();
	}
	try {
		const anchor = await readAnchor({ format: 'hromada-trust-anchor', certificate: pinned.certificate });
		const minSequence = stored(SEQUENCE_KEY) ?? undefined;
		const list = await openTrustList(text, anchor, { minSequence });
		localStorage.setItem(SEQUENCE_KEY, JSON.stringify(list.sequence));
		const fetchedAt = Number(response.headers.get('X-Hromada-Fetched-At')) || Date.now() / 1000;
		state.store = list.store;
		state.trust = { ...list, fetchedAt, offline: response.headers.get('X-Hromada-From-Cache') === '1' };
	} catch (e) {
		state.trustError = t('trustRefused', { why: e.message });
	}
	renderTrust();
}

function duration(seconds) {
	seconds = Math.max(0, Math.round(seconds));
	if (seconds < 120) return t('seconds', { n: seconds });
	if (seconds < 7200) return t('minutes', { n: Math.round(seconds / 60) });
	if (seconds < 172800) return t('hours', { n: Math.round(seconds / 3600) });
	return t('days', { n: Math.round(seconds / 86400) });
}

function renderTrust() {
	const el = $('trust');
	el.classList.toggle('bad', !!state.trustError || !state.trust);
	if (state.trustError && !state.trust) return (el.textContent = state.trustError);
	if (!state.trust) return (el.textContent = t('trustLoading'));
	const age = Date.now() / 1000 - state.trust.fetchedAt;
	const vars = { sequence: state.trust.sequence, age: age < 5 ? t('justNow') : t('ago', { time: duration(age) }), until: formatTime(state.trust.nextUpdate).replace('T', ' ').replace('Z', ' UTC') };
	el.textContent = (state.trustError ? state.trustError + ' ' : '') + t(state.trust.offline ? 'trustOffline' : 'trustOk', vars);
	el.dataset.sequence = state.trust.sequence;
	el.dataset.offline = state.trust.offline ? '1' : '0';
}

/* --- reading QR codes -------------------------------------------------------- */

async function startCamera(onText) {
	stopCamera();
	const video = $('video');
	try {
		const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
		video.srcObject = stream;
		await video.play();
	} catch {
		$('input-message').textContent = t('cameraUnavailable');
		return;
	}
	$('camera').hidden = false;
	const tick = () => {
		if (!state.scanning) return;
		if (video.readyState >= 2 && video.videoWidth) {
			const text = readQrFrom(video, video.videoWidth, video.videoHeight);
			if (text) {
				stopCamera();
				return onText(text);
			}
		}
		state.scanning.frame = requestAnimationFrame(tick);
	};
	state.scanning = { stream: video.srcObject, frame: requestAnimationFrame(tick) };
}

function stopCamera() {
	if (state.scanning) {
		cancelAnimationFrame(state.scanning.frame);
		for (const track of state.scanning.stream.getTracks()) track.stop();
	}
	state.scanning = null;
	$('video').srcObject = null;
	$('camera').hidden = true;
}

/* --- the result -------------------------------------------------------------- */

function fact(list, label, value, id) {
	const dt = document.createElement('dt');
	dt.textContent = label;
	const dd = document.createElement('dd');
	dd.textContent = value;
	if (id) dd.id = id;
	list.append(dt, dd);
}

function fieldText(value) {
	if (Array.isArray(value)) return value.map(fieldText).join('; ');
	if (value && typeof value === 'object') return Object.values(value).map(fieldText).join(', ');
	return String(value);
}

function renderFields(r) {
	const summary = $('summary'), fields = $('fields');
	summary.replaceChildren();
	fields.replaceChildren();
	const claims = r.claims || {};
	if (claims.document) {
		fact(summary, t('documentType'), t('t_' + claims.document.t));
		// identity first, then the document, in the order of the type's schema
		const order = Object.keys(DOCUMENT_SCHEMAS[claims.document.t] || {});
		const keys = Object.keys(claims.document).filter((k) => k !== 't' && k !== 'v');
		keys.sort((a, b) => (order.indexOf(a) >>> 0) - (order.indexOf(b) >>> 0));
		for (const k of keys) fact(fields, t('f_' + k), fieldText(claims.document[k]));
	} else if (claims.hcert) {
		const h = claims.hcert, kind = ['v', 't', 'r'].find((k) => Array.isArray(h[k]) && h[k].length);
		if (kind) fact(summary, t('documentType'), t('t_dcc_' + kind));
		const nam = h.nam || {};
		fact(fields, t('f_dcc_name'), [nam.gn, nam.fn].filter(Boolean).join(' ') || [nam.gnt, nam.fnt].filter(Boolean).join(' '));
		if (h.dob !== undefined) fact(fields, t('f_dcc_dob'), h.dob);
		if (kind) for (const [k, v] of Object.entries(h[kind][0] || {})) fact(fields, k, fieldText(v));
	}
	if (r.issuer) fact(summary, t('issuer'), t('c_' + r.issuer) === 'c_' + r.issuer ? r.issuer : `${t('c_' + r.issuer)} (${r.issuer})`);
	if (typeof claims.exp === 'number') fact(summary, t('expires'), '', 'countdown');
	$('fields-title').hidden = fields.childElementCount === 0;
}

function tickCountdown() {
	const el = $('countdown');
	if (!el || !state.last) return;
	const left = state.last.result.claims.exp - Date.now() / 1000;
	el.textContent = left >= 0 ? duration(left) : t('expired', { ago: duration(-left) });
}

function renderHolder() {
	const status = $('holder-status');
	const r = state.last && state.last.result;
	$('holder').hidden = !r || !r.valid;
	if (!r || !r.valid) return;
	const cnf = r.claims && r.claims.cnf;
	$('challenge').hidden = !cnf || state.last.holder === 'confirmed';
	status.className = 'holder-status';
	status.dataset.reason = state.last.holderWhy || '';
	if (!cnf) {
		status.classList.add('neutral');
		status.textContent = t('holderNotBound');
		status.dataset.holder = 'unbound';
	} else if (state.last.holder === 'confirmed') {
		status.classList.add('good');
		status.textContent = t('holderConfirmed');
		status.dataset.holder = 'confirmed';
	} else {
		status.classList.add('bad');
		status.textContent = t('holderNotConfirmed') + (state.last.holderWhy ? ' ' + t('holder_' + state.last.holderWhy) : '');
		status.dataset.holder = 'not-confirmed';
	}
}

function render() {
	const last = state.last;
	$('result').hidden = !last;
	$('input').hidden = !!last; // the answer first; "Check another document" brings the input back
	if (!last) return;
	const r = last.result;
	const box = $('result');
	box.classList.toggle('valid', r.valid);
	box.classList.toggle('invalid', !r.valid);
	box.dataset.valid = String(r.valid);
	box.dataset.errorStage = r.error ? r.error.stage : '';
	$('verdict').textContent = t(r.valid ? 'valid' : 'invalid');
	$('verdict-lead').textContent = t(r.valid ? 'validLead' : 'invalidLead');
	const reasons = $('reasons');
	reasons.replaceChildren();
	for (const stage of STAGES) {
		if (r.stages[stage] === false) {
			const li = document.createElement('li');
			li.textContent = t('stage_' + stage);
			li.dataset.stage = stage;
			reasons.append(li);
		}
	}
	// data under a signature that failed may be forged: not shown as facts
	if (r.stages.signature === true) renderFields(r);
	else {
		$('summary').replaceChildren();
		$('fields').replaceChildren();
		$('fields-title').hidden = true;
	}
	$('json').textContent = JSON.stringify(r, null, 2);
	tickCountdown();
	renderHolder();
}

async function showChallenge() {
	const r = state.last.result;
	if (!r.valid || !r.claims.cnf) return;
	state.challenge = await makeChallenge(state.last.text);
	$('challenge-qr').src = qrDataUrl(state.challenge.text);
	$('challenge-qr').alt = state.challenge.text;
	$('challenge-qr').dataset.text = state.challenge.text;
}

/* The last check's challenge QR leaves with it: not shown, even for a moment, with the next result. */
function clearChallenge() {
	state.challenge = null;
	const img = $('challenge-qr');
	img.removeAttribute('src');
	img.alt = '';
	delete img.dataset.text;
}

function qrDataUrl(text) {
	const qr = globalThis.qrcode(0, 'M');
	qr.addData(text);
	qr.make();
	return qr.createDataURL(8, 4);
}

async function check(text, picture) {
	stopCamera();
	$('input-message').textContent = '';
	const result = await verifyCredential(state.store, text, picture ? { picture: true } : {});
	if (state.trustError && !state.trust && result.stages.signature === false)
		result.warnings.push({ check: 'trust_list', message: state.trustError });
	state.last = { text: String(text).trim(), result, holder: null, holderWhy: null };
	render();
	await showChallenge();
	$('verdict').focus();
}

async function answer(text) {
	stopCamera();
	if (!state.last || !state.challenge) return;
	const outcome = await checkResponse(state.challenge, state.last.result.claims.cnf, text);
	state.last.holder = outcome.ok ? 'confirmed' : 'not-confirmed';
	state.last.holderWhy = outcome.ok ? null : outcome.reason;
	renderHolder();
}

/* --- wiring ------------------------------------------------------------------ */

function wire() {
	$('scan').addEventListener('click', () => startCamera((text) => check(text, true)));
	$('stop').addEventListener('click', stopCamera);
	$('picture').addEventListener('change', async (e) => {
		const file = e.target.files[0];
		e.target.value = '';
		if (!file) return;
		const text = await readQrFile(file);
		if (text) return check(text, true);
		$('input-message').textContent = t('noCodeInPicture');
	});
	$('paste-form').addEventListener('submit', (e) => {
		e.preventDefault();
		check($('paste').value, false);
		$('paste').value = '';
	});
	$('holder-scan').addEventListener('click', () => startCamera(answer));
	$('holder-picture').addEventListener('change', async (e) => {
		const file = e.target.files[0];
		e.target.value = '';
		if (file) answer((await readQrFile(file)) || '');
	});
	$('holder-form').addEventListener('submit', (e) => {
		e.preventDefault();
		answer($('holder-paste').value);
		$('holder-paste').value = '';
	});
	$('again').addEventListener('click', () => {
		state.last = null;
		clearChallenge();
		render();
		$('paste').focus();
	});
	languageSwitch($('lang'), () => {
		translate(PAGE);
		renderTrust();
		render();
	});
	// a person's data leaves the screen with the page: nothing is kept
	addEventListener('pagehide', () => {
		state.last = null;
		state.challenge = null;
	});
}

translate(PAGE);
wire();
renderTrust();
state.timer = setInterval(() => {
	tickCountdown();
	if (state.trust) renderTrust();
}, 1000);
if ('serviceWorker' in navigator) navigator.serviceWorker.register('/verify/sw.js', { scope: '/verify/' }).catch(() => {});
state.ready = loadTrust();
globalThis.hromadaVerifyPage = { state, check, answer, ready: () => state.ready };
