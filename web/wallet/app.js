/*
 * app.js — the citizen wallet page (docs/WEB.md): enrolment, documents as
 * cards, a QR with its 180 s countdown and the fields to disclose, report
 * lost, the access history in words, "was my data leaked", and the wallet's
 * side of holder binding. Every visible string comes from
 * /common/i18n.js (messages.wallet); everything personal lives in memory.
 */
import { LANGUAGES, language, setLanguage as chooseLanguage, t as translate } from '/common/i18n.js';
import {
	ApiError, api, b64url, b64urlDecode, currentSession, deviceSign, enrolFinish, enrolStart,
	jwsClaims, resumeSession, sha256, signOut,
} from './device.js';
import { checkEntries, entryWords } from './history.js';
import { readQrFile, readQrFrom } from '/common/qr_read.js';

const $ = (id) => document.getElementById(id);
const enc = new TextEncoder();
const QR_LIFETIME_MS = 180 * 1000;

/* The top-level fields of each document type (src/credential/document_schema.c). */
const PERSON = ['person_id', 'family_name', 'given_name', 'patronymic', 'family_name_latin', 'given_name_latin', 'birth_date'];
const DOCUMENT = ['document_number', 'issue_date', 'expiry_date', 'issuing_authority'];
const FIELDS = {
	id_card: [...PERSON, ...DOCUMENT, 'sex', 'nationality', 'birth_place', 'record_number', 'address'],
	foreign_passport: [...PERSON, ...DOCUMENT, 'sex', 'nationality', 'birth_place', 'record_number'],
	driver_licence: [...PERSON, ...DOCUMENT, 'categories', 'restrictions'],
	vehicle_registration: [...PERSON, ...DOCUMENT, 'plate', 'vin', 'make', 'model', 'year', 'color', 'registration_date'],
	residence_permit: [...PERSON, ...DOCUMENT, 'sex', 'nationality', 'permit_type', 'address'],
	vaccination: [...PERSON, ...DOCUMENT, 'vaccinations'],
	student_card: [...PERSON, ...DOCUMENT, 'institution', 'faculty', 'study_form', 'course'],
	military_record: [...PERSON, ...DOCUMENT, 'military_status', 'rank', 'specialty', 'registration_office'],
};

const state = {
	lang: 'en',
	t: (id, vars) => translate('wallet', id, vars),
	view: null,
	documents: null,  /* the list, in memory */
	current: null,    /* {type, number, country} the QR or report-lost is for */
	shown: [],        /* QRs shown in the last 180 s: {hash, at, type} (holder binding) */
	qrTimer: null,
	history: [],
	historyMore: false,
	leaks: null,
	challenge: null,
	camera: null,
};

/* --- small helpers ----------------------------------------------------------- */

function el(tag, attrs = {}, ...children) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs)) {
		if (k === 'class') e.className = v;
		else if (k === 'text') e.textContent = v;
		else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
		else if (v !== false && v != null) e.setAttribute(k, v === true ? '' : v);
	}
	for (const c of children) if (c != null) e.append(c);
	return e;
}

function say(text, kind = 'info') {
	const s = $('status');
	s.textContent = text || '';
	s.dataset.kind = kind;
}

function problem(e) {
	if (e instanceof ApiError) {
		if (e.status === 0) return state.t('error_network');
		if (e.status === 429) return state.t('rate_limited');
		if (e.code === 'invalid_grant') return state.t('code_wrong');
	}
	return state.t('error_generic', { message: e.message || String(e) });
}

/* the page's language as a locale for dates and times */
export const LOCALES = { uk: 'uk-UA', pl: 'pl-PL', en: 'en-GB' };

function formatDate(iso) {
	if (!iso) return state.t('no_expiry');
	const d = new Date(iso + (iso.length === 10 ? 'T00:00:00Z' : ''));
	if (Number.isNaN(d.getTime())) return iso;
	return new Intl.DateTimeFormat(LOCALES[state.lang], { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
}

function valueText(field, v) {
	if (v == null) return '';
	if (field === 'status') return state.t('status.' + v);
	if (/_date$|^date$/.test(field)) return formatDate(String(v));
	if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? Object.values(x).join(' ') : String(x))).join('; ');
	if (typeof v === 'object') return Object.values(v).join(' ');
	return String(v);
}

/* An answer the wallet refuses for the token: the device is gone; start again. */
async function handleAuthFailure(e) {
	if (e instanceof ApiError && e.status === 401 && e.code === 'invalid_token') {
		await doSignOut(false);
		return true;
	}
	return false;
}

/* --- language ----------------------------------------------------------------- */

/* The page in lang; the choice is kept (not personal) when the person made it. */
function setLanguage(lang, remember) {
	if (remember) chooseLanguage(lang);
	state.lang = LANGUAGES.includes(lang) ? lang : 'en';
	document.documentElement.lang = state.lang;
	document.title = state.t('app_title');
	$('lang').value = state.lang;
	for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = state.t(node.dataset.i18n);
	renderAll();
}

/* --- views -------------------------------------------------------------------- */

function show(view) {
	state.view = view;
	for (const s of document.querySelectorAll('.view')) s.hidden = s.id !== 'view-' + view;
	const signedIn = !!currentSession();
	$('tabs').hidden = !signedIn;
	$('sign-out').hidden = !signedIn;
	const tab = { qr: 'documents', lost: 'documents' }[view] || view;
	for (const b of document.querySelectorAll('#tabs button')) {
		if (b.dataset.tab === tab) b.setAttribute('aria-current', 'page');
		else b.removeAttribute('aria-current');
	}
	if (view !== 'confirm') stopCamera();
	document.body.dataset.view = view;
}

function renderAll() {
	renderDocuments();
	renderQrTitle();
	renderQrFields(false);
	renderCountdown();
	renderLost();
	renderHistory();
	renderLeaks();
	renderChallenge();
}

/* --- enrolment ---------------------------------------------------------------- */

const PERSON_RE = /^(UA:\d{10}|PL:\d{11})$/;
let pendingPerson = null;

async function onPerson(ev) {
	ev.preventDefault();
	const input = $('person');
	const person = input.value.trim().toUpperCase().replace(/\s+/g, '');
	if (!PERSON_RE.test(person)) {
		input.setAttribute('aria-invalid', 'true');
		say(state.t('person_invalid'), 'error');
		return;
	}
	input.removeAttribute('aria-invalid');
	say(state.t('loading'));
	try {
		await enrolStart(person);
		pendingPerson = person;
		input.value = '';
		$('enrol-person').hidden = true;
		$('enrol-code').hidden = false;
		say('');
		$('code').focus();
	} catch (e) {
		say(problem(e), 'error');
	}
}

async function onCode(ev) {
	ev.preventDefault();
	const input = $('code');
	const code = input.value.trim();
	if (!/^\d{8}$/.test(code)) {
		input.setAttribute('aria-invalid', 'true');
		say(state.t('code_wrong'), 'error');
		return;
	}
	input.removeAttribute('aria-invalid');
	say(state.t('loading'));
	try {
		await enrolFinish(pendingPerson, code);
		input.value = '';
		pendingPerson = null;
		say(state.t('enrolled'), 'ok');
		await openDocuments();
	} catch (e) {
		say(problem(e), 'error');
	}
}

function startOver() {
	pendingPerson = null;
	$('person').value = '';
	$('code').value = '';
	$('enrol-person').hidden = false;
	$('enrol-code').hidden = true;
	say('');
}

/* --- documents -------------------------------------------------------------- */

async function openDocuments() {
	show('documents');
	say(state.t('loading'));
	try {
		const answer = await api.documents();
		state.documents = answer.documents || [];
		say('');
	} catch (e) {
		if (await handleAuthFailure(e)) return;
		say(problem(e), 'error');
	}
	renderDocuments();
}

function renderDocuments() {
	const list = $('cards');
	list.replaceChildren();
	if (!state.documents) return;
	const t = state.t;
	const held = state.documents.filter((d) => !d.error);
	const failed = state.documents.filter((d) => d.error && d.error.code !== 'not_found');
	if (held.length === 0 && failed.length === 0) list.append(el('li', { class: 'empty', text: t('documents_none') }));
	for (const d of held) {
		const status = d.status || 'valid';
		const card = el('li', { class: `card doc-${d.type} status-${status}`, 'data-type': d.type },
			el('div', { class: 'card-head' },
				el('h2', { text: t('doc.' + d.type) }),
				el('span', { class: 'badge', text: t('status.' + status) })),
			el('dl', { class: 'fields' },
				el('dt', { text: t('number') }), el('dd', { class: 'doc-number', text: d.document_number || '' }),
				el('dt', { text: t('expires') }), el('dd', { text: formatDate(d.expiry_date) }),
				el('dt', { text: t('country_label') }),
				el('dd', { text: t('country.' + d.country) })),
			el('div', { class: 'actions' },
				el('button', { type: 'button', class: 'primary', disabled: status !== 'valid', text: t('show_qr'),
					onclick: () => openQr(d) }),
				el('button', { type: 'button', class: 'quiet', disabled: status === 'lost', text: t('report_lost'),
					onclick: () => openLost(d) })));
		list.append(card);
	}
	for (const d of failed)
		list.append(el('li', { class: 'card unavailable' },
			el('div', { class: 'card-head' }, el('h2', { text: t('doc.' + d.type) })),
			el('p', { text: t('documents_unavailable') })));
}

/* --- the QR ----------------------------------------------------------------- */

function openQr(doc) {
	stopQr();
	state.current = { type: doc.type, number: doc.document_number, country: doc.country };
	$('qr-figure').hidden = true;
	$('qr-fields').hidden = false;
	$('qr-all').checked = true;
	renderQrTitle();
	renderQrFields(true);
	show('qr');
	say('');
	$('qr-title').focus?.();
}

function renderQrTitle() {
	if (!state.current) return;
	$('qr-title').textContent = state.t('qr_title', { doc: state.t('doc.' + state.current.type) });
}

function renderQrFields(reset) {
	const box = $('qr-field-list');
	if (!state.current) return;
	const chosen = new Set(reset ? FIELDS[state.current.type] :
		[...box.querySelectorAll('input:checked')].map((i) => i.value));
	box.replaceChildren();
	for (const f of FIELDS[state.current.type] || []) {
		box.append(el('label', { class: 'check' },
			el('input', { type: 'checkbox', value: f, checked: chosen.has(f), onchange: syncAll }),
			' ', el('span', { text: state.t('field.' + f) })));
	}
	syncAll();
}

function syncAll() {
	const boxes = [...$('qr-field-list').querySelectorAll('input')];
	$('qr-all').checked = boxes.every((b) => b.checked);
}

function onAll() {
	for (const b of $('qr-field-list').querySelectorAll('input')) b.checked = $('qr-all').checked;
}

async function makeQr(ev) {
	if (ev) ev.preventDefault();
	const c = state.current;
	const boxes = [...$('qr-field-list').querySelectorAll('input')];
	const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
	const fields = chosen.length === boxes.length ? null : (chosen.length ? chosen : ['status']);
	say(state.t('loading'));
	let answer;
	try {
		answer = await api.document(c.type, { fields, number: c.number });
	} catch (e) {
		if (await handleAuthFailure(e)) return;
		say(e instanceof ApiError && e.code === 'document_not_valid' ? state.t('qr_not_valid') : problem(e), 'error');
		return;
	}
	say('');
	const img = $('qr-img');
	img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(answer.qr_svg);
	img.alt = state.t('qr_alt', { doc: state.t('doc.' + c.type) });
	const dl = $('qr-disclosed');
	dl.replaceChildren();
	for (const [k, v] of Object.entries(answer.document || {})) {
		if (k === 't' || k === 'v') continue;
		dl.append(el('dt', { text: state.t('field.' + k) }), el('dd', { text: valueText(k, v) }));
	}
	const at = Date.now();
	const hash = (await sha256(enc.encode(answer.qr))).slice(0, 16);
	state.shown = state.shown.filter((s) => at - s.at < QR_LIFETIME_MS);
	state.shown.push({ hash: b64url(hash), at, type: c.type });
	const lifetime = (answer.expires_in || 180) * 1000;
	state.qr = { deadline: at + lifetime, lifetime };
	$('qr-progress').max = Math.round(lifetime / 1000);
	$('qr-fields').hidden = true;
	$('qr-figure').hidden = false;
	$('qr-figure').classList.remove('expired');
	$('qr-new').hidden = true;
	clearInterval(state.qrTimer);
	state.qrTimer = setInterval(renderCountdown, 250);
	renderCountdown();
}

function renderCountdown() {
	if (!state.qr) return;
	const left = Math.max(0, Math.ceil((state.qr.deadline - Date.now()) / 1000));
	$('qr-progress').value = left;
	if (left > 0) {
		$('qr-countdown').textContent = state.t('qr_countdown', { seconds: left });
		return;
	}
	clearInterval(state.qrTimer);
	state.qrTimer = null;
	$('qr-countdown').textContent = state.t('qr_expired');
	$('qr-figure').classList.add('expired');
	$('qr-img').alt = state.t('qr_expired');
	$('qr-new').hidden = false;
}

function stopQr() {
	clearInterval(state.qrTimer);
	state.qrTimer = null;
	state.qr = null;
	$('qr-img').removeAttribute('src');
	$('qr-disclosed').replaceChildren();
}

function newQr() {
	$('qr-figure').hidden = true;
	$('qr-fields').hidden = false;
	stopQr();
}

/* --- report lost -------------------------------------------------------------- */

function openLost(doc) {
	stopQr();
	state.current = { type: doc.type, number: doc.document_number, country: doc.country };
	renderLost();
	show('lost');
	say('');
}

function renderLost() {
	if (!state.current) return;
	$('lost-text').textContent = state.t('lost_confirm_text',
		{ doc: state.t('doc.' + state.current.type), number: state.current.number || '' });
}

async function confirmLost() {
	const c = state.current;
	say(state.t('loading'));
	try {
		await api.reportLost(c.type, c.number);
	} catch (e) {
		if (await handleAuthFailure(e)) return;
		say(problem(e), 'error');
		return;
	}
	await openDocuments();
	say(state.t('lost_done', { doc: state.t('doc.' + c.type) }), 'ok');
}

/* --- access history ----------------------------------------------------------- */

async function openHistory(more = false) {
	show('history');
	say(state.t('loading'));
	try {
		const before = more && state.history.length ? Math.min(...state.history.map((e) => e.leaf_index)) : null;
		const answer = await api.accessLog(before);
		const entries = await checkEntries(answer);
		state.history = more ? state.history.concat(entries) : entries;
		state.historyMore = !!answer.more;
		say('');
	} catch (e) {
		if (await handleAuthFailure(e)) return;
		say(problem(e), 'error');
	}
	renderHistory();
}

function renderHistory() {
	const list = $('history-list');
	list.replaceChildren();
	const s = currentSession();
	if (!s || state.view !== 'history' && state.history.length === 0) return;
	const own = jwsClaims(s.attestation).iss;
	const t = state.t;
	if (state.history.length === 0) list.append(el('li', { class: 'empty', text: t('history_none') }));
	for (const e of state.history) {
		const w = entryWords(t, LOCALES[state.lang], e, own);
		list.append(el('li', { class: 'entry' + (w.proven ? ' proven' : ' unproven') + (w.refused ? ' refused' : '') },
			el('p', { class: 'who' }, el('strong', { text: t('history_line', { who: w.who, time: w.time }) }),
				el('span', { class: 'date', text: ' · ' + w.date })),
			el('p', { class: 'what', text: w.action + (w.refused ? ' — ' + t('history_refused') : '') }),
			el('p', { class: 'basis', text: w.basis }),
			el('p', { class: 'proof', text: (w.proven ? '✓ ' : '✗ ') + t(w.proven ? 'proof_checked' : 'proof_failed') })));
	}
	$('history-more').hidden = !state.historyMore;
}

/* --- leaks -------------------------------------------------------------------- */

async function checkLeaks() {
	say(state.t('loading'));
	try {
		state.leaks = { leaks: (await api.leaks()).leaks || [] };
		say('');
	} catch (e) {
		if (await handleAuthFailure(e)) return;
		state.leaks = { unavailable: true };
		say('');
	}
	renderLeaks();
}

function renderLeaks() {
	const box = $('leaks-result');
	box.replaceChildren();
	if (!state.leaks) return;
	const t = state.t;
	if (state.leaks.unavailable) {
		box.append(el('p', { class: 'warning', text: t('leaks_unavailable') }));
		return;
	}
	const leaks = state.leaks.leaks;
	if (leaks.length === 0) {
		box.append(el('p', { class: 'ok-text', text: t('leaks_none') }));
		return;
	}
	box.append(el('p', { class: 'warning', text: t('leaks_found', { count: leaks.length }) }));
	const ul = el('ul');
	for (const l of leaks) {
		const fields = (l.fields || []).map((f) => {
			const words = t('field.' + f);
			return words === 'field.' + f ? f : words;
		}).join(', ');
		ul.append(el('li', {},
			el('p', { text: t('leaks_entry', { dump: l.dump, date: formatDate(String(l.first_seen || '').slice(0, 10)) }) }),
			el('p', { class: 'hint', text: t('leaks_fields', { fields }) })));
	}
	box.append(ul, el('p', { text: t('leaks_advice') }));
}

/* --- holder binding: the wallet's side -------------------------------------------- */

async function onChallengeFile() {
	const file = $('bind-file').files[0];
	$('bind-file').value = '';
	if (!file) return;
	const text = await readQrFile(file);
	if (!text) {
		say(state.t('bind_no_qr'), 'error');
		return;
	}
	await onChallenge(text);
}

async function startCamera() {
	if (state.camera) { stopCamera(); return; }
	let stream;
	try {
		stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
	} catch {
		say(state.t('bind_camera_denied'), 'error');
		return;
	}
	const video = $('bind-video');
	video.srcObject = stream;
	video.hidden = false;
	video.setAttribute('aria-label', state.t('bind_video'));
	await video.play().catch(() => {});
	state.camera = { stream, timer: setInterval(() => {
		if (!video.videoWidth) return;
		const text = readQrFrom(video, video.videoWidth, video.videoHeight);
		if (text) {
			stopCamera();
			onChallenge(text);
		}
	}, 200) };
	$('bind-camera').textContent = state.t('bind_stop_camera');
}

function stopCamera() {
	if (!state.camera) return;
	clearInterval(state.camera.timer);
	for (const track of state.camera.stream.getTracks()) track.stop();
	state.camera = null;
	const video = $('bind-video');
	video.srcObject = null;
	video.hidden = true;
	$('bind-camera').textContent = state.t('bind_camera');
}

/* HRC1:<b64url nonce>.<b64url first 16 bytes of SHA-256(the credential QR text)> */
async function onChallenge(text) {
	state.challenge = null;
	$('bind-response').hidden = true;
	$('bind-img').removeAttribute('src');
	const m = /^HRC1:([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(text.trim());
	let nonce, hash;
	try {
		if (m) { nonce = b64urlDecode(m[1]); hash = b64urlDecode(m[2]); }
	} catch { nonce = null; }
	if (!m || !nonce || nonce.length !== 16 || !hash || hash.length !== 16) {
		say(state.t('bind_not_challenge'), 'error');
		renderChallenge();
		return;
	}
	const now = Date.now();
	const shown = state.shown.find((s) => s.hash === b64url(hash) && now - s.at <= QR_LIFETIME_MS);
	if (!shown) {
		say(state.t(state.shown.length ? 'bind_other_document' : 'bind_no_qr_shown'), 'error');
		renderChallenge();
		return;
	}
	state.challenge = { nonce: b64url(nonce), hash: b64url(hash), type: shown.type };
	say('');
	renderChallenge();
	$('bind-yes').focus();
}

function renderChallenge() {
	const c = state.challenge;
	$('bind-question').hidden = !c;
	if (c) $('bind-question-text').textContent = state.t('bind_question', { doc: state.t('doc.' + c.type) });
	$('bind-img').alt = state.t('bind_response_alt');
}

async function confirmChallenge() {
	const c = state.challenge;
	if (!c) return;
	const message = `hromada-holder-binding-v1.${c.nonce}.${c.hash}`;
	const signature = await deviceSign(enc.encode(message));
	const response = `HRR1:${c.nonce}.${b64url(signature)}`;
	const qr = window.qrcode(0, 'M');
	qr.addData(response, 'Byte');
	qr.make();
	$('bind-img').src = qr.createDataURL(8, 32);
	$('bind-img').alt = state.t('bind_response_alt');
	$('bind-img').dataset.payload = 'HRR1';
	$('bind-response').hidden = false;
	state.challenge = null;
	renderChallenge();
}

/* --- sign out ------------------------------------------------------------------- */

async function doSignOut(tell = true) {
	stopQr();
	stopCamera();
	await signOut();
	Object.assign(state, { documents: null, current: null, shown: [], history: [], historyMore: false, leaks: null, challenge: null });
	for (const id of ['cards', 'qr-disclosed', 'history-list', 'leaks-result', 'qr-field-list']) $(id).replaceChildren();
	$('bind-img').removeAttribute('src');
	$('bind-response').hidden = true;
	startOver();
	show('enrol');
	if (tell) say(state.t('signed_out'), 'ok');
}

/* --- start -------------------------------------------------------------------- */

function wire() {
	$('lang').addEventListener('change', () => setLanguage($('lang').value, true));
	$('enrol-person').addEventListener('submit', onPerson);
	$('enrol-code').addEventListener('submit', onCode);
	$('start-over').addEventListener('click', startOver);
	$('sign-out').addEventListener('click', () => doSignOut(true));
	$('refresh').addEventListener('click', openDocuments);
	$('qr-fields').addEventListener('submit', makeQr);
	$('qr-all').addEventListener('change', onAll);
	$('qr-new').addEventListener('click', newQr);
	$('qr-back').addEventListener('click', () => { stopQr(); show('documents'); });
	$('lost-confirm').addEventListener('click', confirmLost);
	$('lost-cancel').addEventListener('click', () => show('documents'));
	$('history-more').addEventListener('click', () => openHistory(true));
	$('leaks-check').addEventListener('click', checkLeaks);
	$('bind-camera').addEventListener('click', startCamera);
	$('bind-file').addEventListener('change', onChallengeFile);
	$('bind-yes').addEventListener('click', confirmChallenge);
	$('bind-no').addEventListener('click', () => { state.challenge = null; renderChallenge(); });
	for (const b of document.querySelectorAll('#tabs button')) {
		b.addEventListener('click', () => {
			const tab = b.dataset.tab;
			if (tab === 'documents') openDocuments();
			else if (tab === 'history') openHistory(false);
			else { show(tab); say(''); }
		});
	}
}

async function main() {
	wire();
	setLanguage(language(), false);
	if ('serviceWorker' in navigator)
		navigator.serviceWorker.register('/wallet/sw.js', { scope: '/wallet/' }).catch(() => {});
	if (!window.crypto || !crypto.subtle || !window.indexedDB) {
		show('enrol');
		say(state.t('no_webcrypto'), 'error');
		$('enrol-person').hidden = true;
		return;
	}
	const s = await resumeSession().catch(() => null);
	if (s) await openDocuments();
	else show('enrol');
	document.body.dataset.ready = '1';
}

main();
