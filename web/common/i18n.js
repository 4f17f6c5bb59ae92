// i18n.js — the pages' words in Ukrainian, Polish and English: one table per
// page (messages.<page>.<lang>.<id>) and the helpers every page uses. The
// language is chosen from navigator.languages and can be switched; only that
// choice (nothing personal) is kept, in localStorage under "hromada.lang".
// Pages add their own table in their own block below; keep blocks separate.
export const LANGUAGES = ['uk', 'pl', 'en'];
export const LANGUAGE_NAMES = { uk: 'Українська', pl: 'Polski', en: 'English' };

export const messages = {};

/* ===== verifier page (web/verify/) ======================================== */
messages.verify = {
	en: {
		title: 'Check a document',
		lead: 'Scan the QR code of a Hromada document or an EU COVID certificate. Checking happens on this device, also without a network.',
		language: 'Language',
		scan: 'Scan with the camera',
		stopScan: 'Stop the camera',
		upload: 'Read a picture of the code',
		pasteLabel: 'Or paste the code text (HR1:… or HC1:…)',
		check: 'Check',
		cameraHint: 'Hold the QR code in front of the camera.',
		cameraUnavailable: 'The camera is not available here. Use a picture or paste the text.',
		noCodeInPicture: 'No QR code could be read in this picture.',
		trustLoading: 'Loading the list of trusted signers…',
		trustOk: 'Trusted signers: list no. {sequence}, fetched {age}, valid until {until}.',
		trustOffline: 'Offline: using the saved list no. {sequence}, fetched {age}, valid until {until}.',
		trustNone: 'No list of trusted signers yet: connect to the network once.',
		trustRefused: 'The list of trusted signers was refused: {why}',
		anchorChanged: 'The service now signs its list with another key than the one this device trusts. Nothing from it is used. Ask your administrator.',
		valid: 'VALID',
		invalid: 'NOT VALID',
		validLead: 'The document is genuine and in force.',
		invalidLead: 'Do not accept this document.',
		stage_unprefix: 'This is not the code of a document (it must start with HR1: or HC1:).',
		stage_base45: 'The code is damaged (it is not valid Base45 text).',
		stage_zlib: 'The code is damaged (its content does not unpack).',
		stage_cose: 'The code is damaged or forged (its structure is wrong).',
		stage_signature: 'The signature is not from a trusted issuer, or the content was changed.',
		stage_expiry: 'The code has expired or is not valid yet.',
		stage_key_usage: 'The issuer may not issue this kind of document.',
		stage_status: 'The document was revoked or suspended.',
		stage_schema: 'The content of the document is not in the required form.',
		stage_picture: 'The picture holds no readable QR code.',
		stage_trust_list: 'The list of trusted signers could not be used.',
		technical: 'Technical detail',
		issuer: 'Issuing country',
		documentType: 'Document',
		expires: 'Code valid for',
		expired: 'expired {ago} ago',
		expiresIn: '{time}',
		fields: 'Disclosed data',
		holderTitle: 'Is this the holder’s own phone?',
		holderAsk: 'Ask the holder to open “Confirm to a verifier” in the wallet and scan this code:',
		holderScan: 'Scan the holder’s answer',
		holderUpload: 'Read a picture of the answer',
		holderPasteLabel: 'Or paste the answer text (HRR1:…)',
		holderCheck: 'Check the answer',
		holderConfirmed: 'Holder confirmed: the code is shown from the phone it was issued to.',
		holderNotConfirmed: 'Holder NOT confirmed — this may be a copy of someone else’s code.',
		holderNotBound: 'Not bound to a device: anyone holding this code can show it.',
		holder_nonce: 'This answer is for another check, not this one.',
		holder_used: 'This answer was already used.',
		holder_late: 'The answer came too late (more than 2 minutes).',
		holder_signature: 'The answer is not signed by the phone this document was issued to.',
		holder_format: 'This is not a holder’s answer (it must start with HRR1:).',
		holder_key: 'The document names a device key this page cannot use.',
		newCheck: 'Check another document',
		seconds: '{n} s',
		minutes: '{n} min',
		hours: '{n} h',
		days: '{n} days',
		justNow: 'just now',
		ago: '{time} ago',
		f_person_id: 'Personal number', f_family_name: 'Surname', f_given_name: 'Given name', f_patronymic: 'Patronymic',
		f_family_name_latin: 'Surname (Latin)', f_given_name_latin: 'Given name (Latin)', f_birth_date: 'Date of birth',
		f_document_number: 'Document number', f_issue_date: 'Issued', f_expiry_date: 'Valid until',
		f_issuing_authority: 'Issued by', f_status: 'Status', f_sex: 'Sex', f_nationality: 'Nationality',
		f_birth_place: 'Place of birth', f_record_number: 'Record number', f_address: 'Address', f_categories: 'Categories',
		f_restrictions: 'Restrictions', f_plate: 'Plate', f_vin: 'VIN', f_make: 'Make', f_model: 'Model', f_year: 'Year',
		f_color: 'Colour', f_registration_date: 'Registered', f_permit_type: 'Permit', f_vaccinations: 'Vaccinations',
		f_institution: 'Institution', f_faculty: 'Faculty', f_study_form: 'Form of study', f_course: 'Year of study',
		f_military_status: 'Military status', f_rank: 'Rank', f_specialty: 'Specialty', f_registration_office: 'Registration office',
		f_dcc_name: 'Name', f_dcc_dob: 'Date of birth', f_dcc_kind: 'Certificate',
		t_id_card: 'ID card', t_foreign_passport: 'Passport for travel abroad', t_driver_licence: 'Driving licence',
		t_vehicle_registration: 'Vehicle registration', t_residence_permit: 'Residence permit', t_vaccination: 'Vaccination record',
		t_student_card: 'Student card', t_military_record: 'Military record', t_dcc_v: 'EU COVID certificate: vaccination',
		t_dcc_t: 'EU COVID certificate: test', t_dcc_r: 'EU COVID certificate: recovery',
		c_UA: 'Ukraine', c_PL: 'Poland',
	},
	uk: {
		title: 'Перевірка документа',
		lead: 'Скануйте QR-код документа Громади або сертифіката ЄС про COVID. Перевірка відбувається на цьому пристрої, також без мережі.',
		language: 'Мова',
		scan: 'Сканувати камерою',
		stopScan: 'Вимкнути камеру',
		upload: 'Прочитати фото коду',
		pasteLabel: 'Або вставте текст коду (HR1:… або HC1:…)',
		check: 'Перевірити',
		cameraHint: 'Тримайте QR-код перед камерою.',
		cameraUnavailable: 'Камера тут недоступна. Скористайтеся фото або вставте текст.',
		noCodeInPicture: 'На цьому фото не вдалося прочитати QR-код.',
		trustLoading: 'Завантаження списку довірених підписувачів…',
		trustOk: 'Довірені підписувачі: список № {sequence}, отримано {age}, чинний до {until}.',
		trustOffline: 'Без мережі: збережений список № {sequence}, отримано {age}, чинний до {until}.',
		trustNone: 'Списку довірених підписувачів ще немає: один раз підключіться до мережі.',
		trustRefused: 'Список довірених підписувачів відхилено: {why}',
		anchorChanged: 'Сервіс тепер підписує список іншим ключем, ніж той, якому довіряє цей пристрій. Нічого з нього не використано. Зверніться до адміністратора.',
		valid: 'ДІЙСНИЙ',
		invalid: 'НЕДІЙСНИЙ',
		validLead: 'Документ справжній і чинний.',
		invalidLead: 'Не приймайте цей документ.',
		stage_unprefix: 'Це не код документа (він має починатися з HR1: або HC1:).',
		stage_base45: 'Код пошкоджено (це не текст Base45).',
		stage_zlib: 'Код пошкоджено (його вміст не розпаковується).',
		stage_cose: 'Код пошкоджено або підроблено (неправильна структура).',
		stage_signature: 'Підпис не від довіреного видавця, або вміст змінено.',
		stage_expiry: 'Строк дії коду минув або ще не настав.',
		stage_key_usage: 'Видавець не має права видавати такий документ.',
		stage_status: 'Документ відкликано або призупинено.',
		stage_schema: 'Вміст документа не має потрібної форми.',
		stage_picture: 'На зображенні немає читабельного QR-коду.',
		stage_trust_list: 'Список довірених підписувачів не вдалося використати.',
		technical: 'Технічні подробиці',
		issuer: 'Країна видачі',
		documentType: 'Документ',
		expires: 'Код дійсний ще',
		expired: 'строк минув {ago} тому',
		expiresIn: '{time}',
		fields: 'Розкриті дані',
		holderTitle: 'Це телефон власника?',
		holderAsk: 'Попросіть власника відкрити «Підтвердити перевіряльнику» в гаманці та сканувати цей код:',
		holderScan: 'Сканувати відповідь власника',
		holderUpload: 'Прочитати фото відповіді',
		holderPasteLabel: 'Або вставте текст відповіді (HRR1:…)',
		holderCheck: 'Перевірити відповідь',
		holderConfirmed: 'Власника підтверджено: код показано з телефона, якому його видано.',
		holderNotConfirmed: 'Власника НЕ підтверджено — це може бути копія чужого коду.',
		holderNotBound: 'Не прив’язано до пристрою: показати цей код може будь-хто, хто його має.',
		holder_nonce: 'Ця відповідь до іншої перевірки, не до цієї.',
		holder_used: 'Цю відповідь уже використано.',
		holder_late: 'Відповідь надійшла запізно (понад 2 хвилини).',
		holder_signature: 'Відповідь підписана не телефоном, якому видано документ.',
		holder_format: 'Це не відповідь власника (вона має починатися з HRR1:).',
		holder_key: 'Документ називає ключ пристрою, який ця сторінка не може використати.',
		newCheck: 'Перевірити інший документ',
		seconds: '{n} с',
		minutes: '{n} хв',
		hours: '{n} год',
		days: '{n} дн.',
		justNow: 'щойно',
		ago: '{time} тому',
		f_person_id: 'Особистий номер', f_family_name: 'Прізвище', f_given_name: 'Ім’я', f_patronymic: 'По батькові',
		f_family_name_latin: 'Прізвище (латиницею)', f_given_name_latin: 'Ім’я (латиницею)', f_birth_date: 'Дата народження',
		f_document_number: 'Номер документа', f_issue_date: 'Виданий', f_expiry_date: 'Дійсний до',
		f_issuing_authority: 'Орган видачі', f_status: 'Статус', f_sex: 'Стать', f_nationality: 'Громадянство',
		f_birth_place: 'Місце народження', f_record_number: 'Запис №', f_address: 'Адреса', f_categories: 'Категорії',
		f_restrictions: 'Обмеження', f_plate: 'Номерний знак', f_vin: 'VIN', f_make: 'Марка', f_model: 'Модель', f_year: 'Рік',
		f_color: 'Колір', f_registration_date: 'Зареєстровано', f_permit_type: 'Посвідка', f_vaccinations: 'Щеплення',
		f_institution: 'Заклад', f_faculty: 'Факультет', f_study_form: 'Форма навчання', f_course: 'Курс',
		f_military_status: 'Військовий статус', f_rank: 'Звання', f_specialty: 'Спеціальність', f_registration_office: 'ТЦК',
		f_dcc_name: 'Ім’я', f_dcc_dob: 'Дата народження', f_dcc_kind: 'Сертифікат',
		t_id_card: 'ID-картка', t_foreign_passport: 'Закордонний паспорт', t_driver_licence: 'Посвідчення водія',
		t_vehicle_registration: 'Техпаспорт', t_residence_permit: 'Посвідка на проживання', t_vaccination: 'Запис про щеплення',
		t_student_card: 'Студентський квиток', t_military_record: 'Військово-обліковий документ', t_dcc_v: 'COVID-сертифікат ЄС: щеплення',
		t_dcc_t: 'COVID-сертифікат ЄС: тест', t_dcc_r: 'COVID-сертифікат ЄС: одужання',
		c_UA: 'Україна', c_PL: 'Польща',
	},
	pl: {
		title: 'Sprawdź dokument',
		lead: 'Zeskanuj kod QR dokumentu Hromady lub unijnego certyfikatu COVID. Sprawdzenie odbywa się na tym urządzeniu, także bez sieci.',
		language: 'Język',
		scan: 'Skanuj aparatem',
		stopScan: 'Wyłącz aparat',
		upload: 'Odczytaj zdjęcie kodu',
		pasteLabel: 'Albo wklej tekst kodu (HR1:… lub HC1:…)',
		check: 'Sprawdź',
		cameraHint: 'Trzymaj kod QR przed aparatem.',
		cameraUnavailable: 'Aparat nie jest tu dostępny. Użyj zdjęcia albo wklej tekst.',
		noCodeInPicture: 'Na tym zdjęciu nie udało się odczytać kodu QR.',
		trustLoading: 'Wczytywanie listy zaufanych wystawców…',
		trustOk: 'Zaufani wystawcy: lista nr {sequence}, pobrana {age}, ważna do {until}.',
		trustOffline: 'Bez sieci: zapisana lista nr {sequence}, pobrana {age}, ważna do {until}.',
		trustNone: 'Brak listy zaufanych wystawców: połącz się raz z siecią.',
		trustRefused: 'Lista zaufanych wystawców została odrzucona: {why}',
		anchorChanged: 'Serwis podpisuje teraz listę innym kluczem niż ten, któremu ufa to urządzenie. Nic z niej nie jest używane. Zwróć się do administratora.',
		valid: 'WAŻNY',
		invalid: 'NIEWAŻNY',
		validLead: 'Dokument jest autentyczny i ważny.',
		invalidLead: 'Nie akceptuj tego dokumentu.',
		stage_unprefix: 'To nie jest kod dokumentu (musi zaczynać się od HR1: lub HC1:).',
		stage_base45: 'Kod jest uszkodzony (to nie jest tekst Base45).',
		stage_zlib: 'Kod jest uszkodzony (jego treści nie da się rozpakować).',
		stage_cose: 'Kod jest uszkodzony lub podrobiony (błędna struktura).',
		stage_signature: 'Podpis nie pochodzi od zaufanego wystawcy albo treść zmieniono.',
		stage_expiry: 'Kod wygasł lub nie jest jeszcze ważny.',
		stage_key_usage: 'Wystawca nie może wydawać tego rodzaju dokumentu.',
		stage_status: 'Dokument został unieważniony lub zawieszony.',
		stage_schema: 'Treść dokumentu nie ma wymaganej postaci.',
		stage_picture: 'Na obrazie nie ma czytelnego kodu QR.',
		stage_trust_list: 'Nie udało się użyć listy zaufanych wystawców.',
		technical: 'Szczegóły techniczne',
		issuer: 'Kraj wydania',
		documentType: 'Dokument',
		expires: 'Kod ważny jeszcze',
		expired: 'wygasł {ago} temu',
		expiresIn: '{time}',
		fields: 'Udostępnione dane',
		holderTitle: 'Czy to telefon posiadacza?',
		holderAsk: 'Poproś posiadacza, aby otworzył w portfelu „Potwierdź weryfikującemu” i zeskanował ten kod:',
		holderScan: 'Skanuj odpowiedź posiadacza',
		holderUpload: 'Odczytaj zdjęcie odpowiedzi',
		holderPasteLabel: 'Albo wklej tekst odpowiedzi (HRR1:…)',
		holderCheck: 'Sprawdź odpowiedź',
		holderConfirmed: 'Posiadacz potwierdzony: kod pokazano z telefonu, któremu go wydano.',
		holderNotConfirmed: 'Posiadacz NIE potwierdzony — to może być kopia cudzego kodu.',
		holderNotBound: 'Nie powiązano z urządzeniem: ten kod może pokazać każdy, kto go ma.',
		holder_nonce: 'Ta odpowiedź dotyczy innego sprawdzenia, nie tego.',
		holder_used: 'Tej odpowiedzi już użyto.',
		holder_late: 'Odpowiedź przyszła za późno (ponad 2 minuty).',
		holder_signature: 'Odpowiedź nie jest podpisana telefonem, któremu wydano dokument.',
		holder_format: 'To nie jest odpowiedź posiadacza (musi zaczynać się od HRR1:).',
		holder_key: 'Dokument wskazuje klucz urządzenia, którego ta strona nie może użyć.',
		newCheck: 'Sprawdź inny dokument',
		seconds: '{n} s',
		minutes: '{n} min',
		hours: '{n} godz.',
		days: '{n} dni',
		justNow: 'przed chwilą',
		ago: '{time} temu',
		f_person_id: 'Numer osobisty', f_family_name: 'Nazwisko', f_given_name: 'Imię', f_patronymic: 'Imię ojca',
		f_family_name_latin: 'Nazwisko (alfabet łaciński)', f_given_name_latin: 'Imię (alfabet łaciński)', f_birth_date: 'Data urodzenia',
		f_document_number: 'Numer dokumentu', f_issue_date: 'Wydany', f_expiry_date: 'Ważny do',
		f_issuing_authority: 'Organ wydający', f_status: 'Status', f_sex: 'Płeć', f_nationality: 'Obywatelstwo',
		f_birth_place: 'Miejsce urodzenia', f_record_number: 'Numer rekordu', f_address: 'Adres', f_categories: 'Kategorie',
		f_restrictions: 'Ograniczenia', f_plate: 'Numer rejestracyjny', f_vin: 'VIN', f_make: 'Marka', f_model: 'Model', f_year: 'Rok',
		f_color: 'Kolor', f_registration_date: 'Zarejestrowany', f_permit_type: 'Zezwolenie', f_vaccinations: 'Szczepienia',
		f_institution: 'Uczelnia', f_faculty: 'Wydział', f_study_form: 'Forma studiów', f_course: 'Rok studiów',
		f_military_status: 'Status wojskowy', f_rank: 'Stopień', f_specialty: 'Specjalność', f_registration_office: 'Urząd ewidencji',
		f_dcc_name: 'Imię i nazwisko', f_dcc_dob: 'Data urodzenia', f_dcc_kind: 'Certyfikat',
		t_id_card: 'Dowód osobisty', t_foreign_passport: 'Paszport', t_driver_licence: 'Prawo jazdy',
		t_vehicle_registration: 'Dowód rejestracyjny', t_residence_permit: 'Karta pobytu', t_vaccination: 'Karta szczepień',
		t_student_card: 'Legitymacja studencka', t_military_record: 'Książeczka wojskowa', t_dcc_v: 'Unijny certyfikat COVID: szczepienie',
		t_dcc_t: 'Unijny certyfikat COVID: test', t_dcc_r: 'Unijny certyfikat COVID: wyzdrowienie',
		c_UA: 'Ukraina', c_PL: 'Polska',
	},
};
/* ===== end of the verifier page's block ================================== */

/* --- helpers shared by the pages ----------------------------------------- */
const STORAGE_KEY = 'hromada.lang';
let current = null;

/** The language: the stored choice, else the first of navigator.languages we speak, else English. */
export function language() {
	if (current) return current;
	try {
		const stored = globalThis.localStorage && localStorage.getItem(STORAGE_KEY);
		if (LANGUAGES.includes(stored)) return (current = stored);
	} catch {
		/* storage may be disabled */
	}
	const wanted = (globalThis.navigator && (navigator.languages || [navigator.language])) || [];
	for (const tag of wanted) {
		const base = String(tag).toLowerCase().split('-')[0];
		if (LANGUAGES.includes(base)) return (current = base);
		if (base === 'ru' || base === 'be') return (current = 'uk');
	}
	return (current = 'en');
}

export function setLanguage(lang) {
	if (!LANGUAGES.includes(lang)) return;
	current = lang;
	try {
		localStorage.setItem(STORAGE_KEY, lang);
	} catch {
		/* not kept: the choice lasts for this page */
	}
	if (globalThis.document) document.documentElement.lang = lang;
}

/** The text of message id on page, with {name} replaced from vars; English, then the id, when missing. */
export function t(page, id, vars = {}) {
	const table = messages[page] || {};
	const text = (table[language()] && table[language()][id]) ?? (table.en && table.en[id]) ?? id;
	return text.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

/** Fills every [data-i18n] element's text (and [data-i18n-attr="attr:id"]) under root. */
export function translate(page, root = globalThis.document) {
	for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(page, el.dataset.i18n);
	for (const el of root.querySelectorAll('[data-i18n-attr]')) {
		for (const pair of el.dataset.i18nAttr.split(';')) {
			const [attr, id] = pair.split(':');
			el.setAttribute(attr, t(page, id));
		}
	}
	if (root.documentElement) root.documentElement.lang = language();
}

/** A <select> that switches the language and calls onChange. */
export function languageSwitch(select, onChange) {
	select.replaceChildren(...LANGUAGES.map((l) => new Option(LANGUAGE_NAMES[l], l, false, l === language())));
	select.addEventListener('change', () => {
		setLanguage(select.value);
		onChange(select.value);
	});
}
