/*
 * i18n.js — the pages' words in Ukrainian, Polish and English: one table per
 * page (messages.<page>), keyed by message id, each id giving {uk, pl, en}.
 * A page picks the language from navigator.languages unless the person chose
 * one (that choice, not personal, may be kept in localStorage).
 */
export const LANGUAGES = ['uk', 'pl', 'en'];

export const messages = {};

/* The first of navigator.languages we speak, else English. */
export function browserLanguage(list = navigator.languages || [navigator.language]) {
	for (const tag of list) {
		const base = String(tag).toLowerCase().split('-')[0];
		if (LANGUAGES.includes(base)) return base;
		if (base === 'ru' || base === 'be') return 'uk';
	}
	return 'en';
}

/* A function (id, vars) -> text for one page's table in lang; {name} in a
 * message is replaced by vars.name. An unknown id reads as itself. */
export function translator(page, lang) {
	const table = messages[page] || {};
	return (id, vars = {}) => {
		const entry = table[id];
		const text = entry ? entry[lang] ?? entry.en : id;
		return text.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
	};
}

// ---- wallet (web/wallet/) -------------------------------------------------
messages.wallet = {
	app_title: { uk: 'Hromada — гаманець громадянина', pl: 'Hromada — portfel obywatela', en: 'Hromada — citizen wallet' },
	brand: { uk: 'Hromada', pl: 'Hromada', en: 'Hromada' },
	language: { uk: 'Мова', pl: 'Język', en: 'Language' },
	sign_out: { uk: 'Вийти', pl: 'Wyloguj', en: 'Sign out' },
	signed_out: { uk: 'Ви вийшли. На цьому пристрої не залишилося ваших даних.', pl: 'Wylogowano. Na tym urządzeniu nie zostały Twoje dane.', en: 'Signed out. None of your data is left on this device.' },
	loading: { uk: 'Завантаження…', pl: 'Ładowanie…', en: 'Loading…' },
	error_network: { uk: 'Сервіс не відповідає. Спробуйте ще раз.', pl: 'Usługa nie odpowiada. Spróbuj ponownie.', en: 'The service does not answer. Try again.' },
	error_generic: { uk: 'Не вдалося: {message}', pl: 'Nie udało się: {message}', en: 'That did not work: {message}' },
	no_webcrypto: { uk: 'Цей браузер не вміє зберігати ключ пристрою (WebCrypto/IndexedDB). Відкрийте сторінку через https або localhost.', pl: 'Ta przeglądarka nie może przechować klucza urządzenia (WebCrypto/IndexedDB). Otwórz stronę przez https lub localhost.', en: 'This browser cannot keep a device key (WebCrypto/IndexedDB). Open the page over https or on localhost.' },

	enrol_title: { uk: 'Підключити цей пристрій', pl: 'Połącz to urządzenie', en: 'Connect this device' },
	enrol_intro: { uk: 'Введіть свій ідентифікатор. Код підтвердження надійде окремим каналом від реєстру.', pl: 'Podaj swój identyfikator. Kod potwierdzenia przyjdzie osobnym kanałem z rejestru.', en: 'Enter your identifier. A confirmation code will come through a separate channel from the registry.' },
	person_label: { uk: 'Ідентифікатор (UA:РНОКПП або PL:PESEL)', pl: 'Identyfikator (UA:RNOKPP lub PL:PESEL)', en: 'Identifier (UA:RNOKPP or PL:PESEL)' },
	person_invalid: { uk: 'Введіть UA: і 10 цифр або PL: і 11 цифр.', pl: 'Wpisz UA: i 10 cyfr lub PL: i 11 cyfr.', en: 'Enter UA: and 10 digits, or PL: and 11 digits.' },
	send_code: { uk: 'Надіслати код', pl: 'Wyślij kod', en: 'Send code' },
	code_sent: { uk: 'Код надіслано. Він дійсний 10 хвилин.', pl: 'Kod wysłany. Jest ważny 10 minut.', en: 'Code sent. It is valid for 10 minutes.' },
	code_label: { uk: 'Код із 8 цифр', pl: 'Kod z 8 cyfr', en: '8-digit code' },
	confirm_code: { uk: 'Підтвердити', pl: 'Potwierdź', en: 'Confirm' },
	start_over: { uk: 'Почати спочатку', pl: 'Zacznij od nowa', en: 'Start over' },
	code_wrong: { uk: 'Код неправильний, використаний або прострочений.', pl: 'Kod jest błędny, zużyty lub wygasł.', en: 'The code is wrong, used up or expired.' },
	rate_limited: { uk: 'Забагато спроб. Спробуйте пізніше.', pl: 'Zbyt wiele prób. Spróbuj później.', en: 'Too many attempts. Try again later.' },
	enrolled: { uk: 'Пристрій підключено.', pl: 'Urządzenie połączone.', en: 'Device connected.' },

	nav_documents: { uk: 'Документи', pl: 'Dokumenty', en: 'Documents' },
	nav_history: { uk: 'Хто дивився мої дані', pl: 'Kto sprawdzał moje dane', en: 'Who saw my data' },
	nav_leaks: { uk: 'Чи були витоки', pl: 'Czy był wyciek', en: 'Was my data leaked' },
	nav_confirm: { uk: 'Підтвердити перевіряльнику', pl: 'Potwierdź sprawdzającemu', en: 'Confirm to a verifier' },

	documents_title: { uk: 'Мої документи', pl: 'Moje dokumenty', en: 'My documents' },
	documents_none: { uk: 'Реєстри не мають ваших документів.', pl: 'Rejestry nie mają Twoich dokumentów.', en: 'The registries hold no documents of yours.' },
	documents_unavailable: { uk: 'Реєстр зараз недоступний', pl: 'Rejestr jest teraz niedostępny', en: 'The registry is unavailable now' },
	refresh: { uk: 'Оновити', pl: 'Odśwież', en: 'Refresh' },
	number: { uk: 'Номер', pl: 'Numer', en: 'Number' },
	expires: { uk: 'Дійсний до', pl: 'Ważny do', en: 'Valid until' },
	no_expiry: { uk: 'безстроковий', pl: 'bezterminowy', en: 'no expiry' },
	country_label: { uk: 'Країна', pl: 'Kraj', en: 'Country' },
	show_qr: { uk: 'Показати QR', pl: 'Pokaż QR', en: 'Show QR' },
	report_lost: { uk: 'Повідомити про втрату', pl: 'Zgłoś utratę', en: 'Report lost' },

	'status.valid': { uk: 'дійсний', pl: 'ważny', en: 'valid' },
	'status.suspended': { uk: 'призупинений', pl: 'zawieszony', en: 'suspended' },
	'status.expired': { uk: 'прострочений', pl: 'wygasły', en: 'expired' },
	'status.lost': { uk: 'втрачений', pl: 'utracony', en: 'lost' },

	'country.UA': { uk: 'Україна', pl: 'Ukraina', en: 'Ukraine' },
	'country.PL': { uk: 'Польща', pl: 'Polska', en: 'Poland' },

	'doc.id_card': { uk: 'ID-картка', pl: 'Dowód osobisty', en: 'ID card' },
	'doc.foreign_passport': { uk: 'Закордонний паспорт', pl: 'Paszport', en: 'Passport' },
	'doc.driver_licence': { uk: 'Посвідчення водія', pl: 'Prawo jazdy', en: 'Driving licence' },
	'doc.vehicle_registration': { uk: 'Свідоцтво про реєстрацію ТЗ', pl: 'Dowód rejestracyjny', en: 'Vehicle registration' },
	'doc.residence_permit': { uk: 'Посвідка на проживання', pl: 'Karta pobytu', en: 'Residence permit' },
	'doc.vaccination': { uk: 'Сертифікат вакцинації', pl: 'Certyfikat szczepień', en: 'Vaccination certificate' },
	'doc.student_card': { uk: 'Студентський квиток', pl: 'Legitymacja studencka', en: 'Student card' },
	'doc.military_record': { uk: 'Військово-обліковий документ', pl: 'Książeczka wojskowa', en: 'Military record' },
	'doc.access_log': { uk: 'журнал доступу', pl: 'rejestr dostępu', en: 'access log' },

	'field.person_id': { uk: 'Ідентифікатор', pl: 'Identyfikator', en: 'Identifier' },
	'field.family_name': { uk: 'Прізвище', pl: 'Nazwisko', en: 'Family name' },
	'field.given_name': { uk: "Ім'я", pl: 'Imię', en: 'Given name' },
	'field.patronymic': { uk: 'По батькові', pl: 'Imię ojca', en: 'Patronymic' },
	'field.family_name_latin': { uk: 'Прізвище латиницею', pl: 'Nazwisko (alfabet łaciński)', en: 'Family name (Latin)' },
	'field.given_name_latin': { uk: "Ім'я латиницею", pl: 'Imię (alfabet łaciński)', en: 'Given name (Latin)' },
	'field.birth_date': { uk: 'Дата народження', pl: 'Data urodzenia', en: 'Date of birth' },
	'field.document_number': { uk: 'Номер документа', pl: 'Numer dokumentu', en: 'Document number' },
	'field.issue_date': { uk: 'Дата видачі', pl: 'Data wydania', en: 'Date of issue' },
	'field.expiry_date': { uk: 'Дійсний до', pl: 'Ważny do', en: 'Valid until' },
	'field.issuing_authority': { uk: 'Орган видачі', pl: 'Organ wydający', en: 'Issuing authority' },
	'field.status': { uk: 'Статус', pl: 'Status', en: 'Status' },
	'field.sex': { uk: 'Стать', pl: 'Płeć', en: 'Sex' },
	'field.nationality': { uk: 'Громадянство', pl: 'Obywatelstwo', en: 'Nationality' },
	'field.birth_place': { uk: 'Місце народження', pl: 'Miejsce urodzenia', en: 'Place of birth' },
	'field.record_number': { uk: 'Запис у реєстрі', pl: 'Numer rekordu', en: 'Record number' },
	'field.address': { uk: 'Адреса', pl: 'Adres', en: 'Address' },
	'field.categories': { uk: 'Категорії', pl: 'Kategorie', en: 'Categories' },
	'field.restrictions': { uk: 'Обмеження', pl: 'Ograniczenia', en: 'Restrictions' },
	'field.plate': { uk: 'Номерний знак', pl: 'Numer rejestracyjny', en: 'Plate' },
	'field.vin': { uk: 'VIN', pl: 'VIN', en: 'VIN' },
	'field.make': { uk: 'Марка', pl: 'Marka', en: 'Make' },
	'field.model': { uk: 'Модель', pl: 'Model', en: 'Model' },
	'field.year': { uk: 'Рік випуску', pl: 'Rok produkcji', en: 'Year' },
	'field.color': { uk: 'Колір', pl: 'Kolor', en: 'Colour' },
	'field.registration_date': { uk: 'Дата реєстрації', pl: 'Data rejestracji', en: 'Registration date' },
	'field.permit_type': { uk: 'Вид посвідки', pl: 'Rodzaj zezwolenia', en: 'Permit type' },
	'field.vaccinations': { uk: 'Щеплення', pl: 'Szczepienia', en: 'Vaccinations' },
	'field.institution': { uk: 'Заклад освіти', pl: 'Uczelnia', en: 'Institution' },
	'field.faculty': { uk: 'Факультет', pl: 'Wydział', en: 'Faculty' },
	'field.study_form': { uk: 'Форма навчання', pl: 'Forma studiów', en: 'Form of study' },
	'field.course': { uk: 'Курс', pl: 'Rok studiów', en: 'Year of study' },
	'field.military_status': { uk: 'Військовий статус', pl: 'Status wojskowy', en: 'Military status' },
	'field.rank': { uk: 'Звання', pl: 'Stopień', en: 'Rank' },
	'field.specialty': { uk: 'Спеціальність', pl: 'Specjalność', en: 'Specialty' },
	'field.registration_office': { uk: 'ТЦК', pl: 'Wojskowe centrum rekrutacji', en: 'Registration office' },
	'field.full_name': { uk: 'ПІБ', pl: 'Imię i nazwisko', en: 'Full name' },
	'field.phone': { uk: 'Телефон', pl: 'Telefon', en: 'Phone' },
	'field.email': { uk: 'Ел. пошта', pl: 'E-mail', en: 'E-mail' },
	'field.password': { uk: 'Пароль', pl: 'Hasło', en: 'Password' },

	qr_title: { uk: 'QR-код: {doc}', pl: 'Kod QR: {doc}', en: 'QR code: {doc}' },
	qr_choose: { uk: 'Що показати перевіряльнику', pl: 'Co pokazać sprawdzającemu', en: 'What to show the verifier' },
	qr_choose_hint: { uk: 'Позначте лише потрібне. Статус документа показується завжди.', pl: 'Zaznacz tylko to, co potrzebne. Status dokumentu jest widoczny zawsze.', en: 'Tick only what is needed. The document status is always shown.' },
	qr_all: { uk: 'Усе', pl: 'Wszystko', en: 'Everything' },
	qr_make: { uk: 'Створити QR', pl: 'Utwórz QR', en: 'Make the QR' },
	qr_alt: { uk: 'QR-код документа «{doc}» для перевірки', pl: 'Kod QR dokumentu „{doc}” do sprawdzenia', en: 'QR code of the {doc} for a verifier' },
	qr_countdown: { uk: 'Дійсний ще {seconds} с', pl: 'Ważny jeszcze {seconds} s', en: 'Valid for {seconds} s more' },
	qr_expired: { uk: 'Час вийшов — цей код більше не прийме жоден перевіряльник.', pl: 'Czas minął — żaden sprawdzający nie przyjmie już tego kodu.', en: 'Time is up — no verifier will accept this code any more.' },
	qr_new: { uk: 'Новий QR', pl: 'Nowy QR', en: 'New QR' },
	qr_disclosed: { uk: 'У коді:', pl: 'W kodzie:', en: 'In the code:' },
	qr_not_valid: { uk: 'Реєстр не вважає цей документ дійсним — код не видається.', pl: 'Rejestr nie uznaje tego dokumentu za ważny — kod nie jest wydawany.', en: 'The registry does not hold this document as valid — no code is issued.' },
	close: { uk: 'Закрити', pl: 'Zamknij', en: 'Close' },
	back: { uk: 'Назад', pl: 'Wstecz', en: 'Back' },

	lost_title: { uk: 'Повідомити про втрату', pl: 'Zgłoś utratę', en: 'Report lost' },
	lost_confirm_text: { uk: 'Документ «{doc}» № {number} буде призупинено в реєстрі. Його QR-коди й офлайн-копії перестануть прийматися. Скасувати це можна лише в установі.', pl: 'Dokument „{doc}” nr {number} zostanie zawieszony w rejestrze. Jego kody QR i kopie offline przestaną być akceptowane. Cofnąć to można tylko w urzędzie.', en: 'The {doc} no. {number} will be suspended in its registry. Its QR codes and offline copies will no longer be accepted. Only an office can undo this.' },
	lost_confirm: { uk: 'Так, документ втрачено', pl: 'Tak, dokument utracony', en: 'Yes, it is lost' },
	cancel: { uk: 'Скасувати', pl: 'Anuluj', en: 'Cancel' },
	lost_done: { uk: 'Документ «{doc}» позначено як втрачений.', pl: 'Dokument „{doc}” oznaczono jako utracony.', en: 'The {doc} is now recorded as lost.' },

	history_title: { uk: 'Хто дивився мої дані', pl: 'Kto sprawdzał moje dane', en: 'Who saw my data' },
	history_intro: { uk: 'Кожен запит до ваших даних записано в захищений від підробки журнал. Для кожного запису пристрій перевіряє доказ включення.', pl: 'Każde zapytanie o Twoje dane jest zapisane w dzienniku odpornym na fałszerstwa. Dla każdego wpisu urządzenie sprawdza dowód włączenia.', en: 'Every request for your data is written in a tamper-evident log. For each entry this device checks the inclusion proof.' },
	history_none: { uk: 'Записів немає.', pl: 'Brak wpisów.', en: 'No entries.' },
	history_more: { uk: 'Старіші записи', pl: 'Starsze wpisy', en: 'Older entries' },
	history_line: { uk: '{who}, {time}', pl: '{who}, {time}', en: '{who}, {time}' },
	history_basis: { uk: 'правова підстава: {basis}', pl: 'podstawa prawna: {basis}', en: 'legal basis: {basis}' },
	history_consent: { uk: 'за вашою згодою', pl: 'za Twoją zgodą', en: 'with your consent' },
	proof_checked: { uk: 'доказ перевірено', pl: 'dowód sprawdzony', en: 'proof checked' },
	proof_failed: { uk: 'ДОКАЗ НЕ ЗБІГАЄТЬСЯ', pl: 'DOWÓD SIĘ NIE ZGADZA', en: 'PROOF DOES NOT MATCH' },
	history_refused: { uk: 'відмовлено', pl: 'odmówiono', en: 'refused' },

	'service.lookup': { uk: 'переглянув(ла): {doc}', pl: 'odczytał(a): {doc}', en: 'read: {doc}' },
	'service.status': { uk: 'перевірив(ла) чинність: {doc}', pl: 'sprawdził(a) ważność: {doc}', en: 'checked the validity of: {doc}' },
	'service.report-lost': { uk: 'позначив(ла) втраченим: {doc}', pl: 'oznaczył(a) jako utracony: {doc}', en: 'reported lost: {doc}' },
	'service.suspend': { uk: 'призупинив(ла): {doc}', pl: 'zawiesił(a): {doc}', en: 'suspended: {doc}' },
	'service.reinstate': { uk: 'відновив(ла): {doc}', pl: 'przywrócił(a): {doc}', en: 'reinstated: {doc}' },
	'service.access-log': { uk: 'прочитав(ла) журнал доступу', pl: 'odczytał(a) rejestr dostępu', en: 'read your access log' },
	'service.status-changes': { uk: 'оновив(ла) статус офлайн-копій', pl: 'zaktualizował(a) status kopii offline', en: 'updated the status of offline copies' },
	'service.other': { uk: 'звернувся(лась) до: {doc}', pl: 'zwrócił(a) się o: {doc}', en: 'asked about: {doc}' },

	'member.wallet.own': { uk: 'Ви, через цей гаманець', pl: 'Ty, przez ten portfel', en: 'You, through this wallet' },
	'member.wallet.UA': { uk: 'Гаманець громадянина України', pl: 'Portfel obywatela Ukrainy', en: 'Ukrainian citizen wallet' },
	'member.wallet.PL': { uk: 'Польський гаманець громадянина', pl: 'Polski portfel obywatela', en: 'Polish citizen wallet' },
	'member.police.UA': { uk: 'Національна поліція України', pl: 'Policja ukraińska', en: 'Ukrainian police' },
	'member.police.PL': { uk: 'Польська поліція', pl: 'Policja (Polska)', en: 'Polish police' },
	'member.bank.UA': { uk: 'Банк в Україні', pl: 'Bank na Ukrainie', en: 'A bank in Ukraine' },
	'member.bank.PL': { uk: 'Банк у Польщі', pl: 'Bank w Polsce', en: 'A bank in Poland' },
	'member.cert.UA': { uk: 'CERT-UA (кіберзахист)', pl: 'CERT-UA (cyberbezpieczeństwo)', en: 'CERT-UA (cyber defence)' },
	'member.cert.PL': { uk: 'CERT Polska (кіберзахист)', pl: 'CERT Polska (cyberbezpieczeństwo)', en: 'CERT Polska (cyber defence)' },
	'member.gateway.UA': { uk: 'Шлюз обміну даними України', pl: 'Bramka wymiany danych Ukrainy', en: 'Ukraine\'s data exchange gateway' },
	'member.gateway.PL': { uk: 'Шлюз обміну даними Польщі', pl: 'Bramka wymiany danych Polski', en: 'Poland\'s data exchange gateway' },
	'member.registry.UA': { uk: 'Державний реєстр України', pl: 'Rejestr państwowy Ukrainy', en: 'A state registry of Ukraine' },
	'member.registry.PL': { uk: 'Державний реєстр Польщі', pl: 'Rejestr państwowy Polski', en: 'A state registry of Poland' },

	'basis.police': { uk: 'поліцейська перевірка документів', pl: 'policyjna kontrola dokumentów', en: 'police document check' },
	'basis.cross_border': { uk: 'транскордонна перевірка (угода поліцій України й Польщі)', pl: 'kontrola transgraniczna (umowa policji Polski i Ukrainy)', en: 'cross-border check (Ukraine–Poland police agreement)' },
	'basis.suspension': { uk: 'призупинення посвідчення водія (закон про дорожній рух)', pl: 'zatrzymanie prawa jazdy (ustawa o kierujących)', en: 'suspension of a driving licence (road traffic law)' },
	'basis.status': { uk: 'статус відкликання офлайн-копій', pl: 'status unieważnienia kopii offline', en: 'revocation status of offline copies' },
	'basis.cert': { uk: 'реагування на кіберінцидент (закон про кібербезпеку)', pl: 'reagowanie na incydent (ustawa o cyberbezpieczeństwie)', en: 'cyber incident response (cybersecurity law)' },

	leaks_title: { uk: 'Чи були витоки моїх даних', pl: 'Czy moje dane wyciekły', en: 'Was my data leaked' },
	leaks_intro: { uk: 'Гаманець питає службу витоків про ваш запис так, що служба не дізнається, хто питає.', pl: 'Portfel pyta usługę wycieków o Twój wpis tak, że usługa nie wie, kto pyta.', en: 'The wallet asks the leak service about you in a way that does not tell the service who is asking.' },
	leaks_check: { uk: 'Перевірити', pl: 'Sprawdź', en: 'Check' },
	leaks_none: { uk: 'Ваших даних не знайдено в жодному відомому витоку.', pl: 'Twoich danych nie znaleziono w żadnym znanym wycieku.', en: 'Your data was not found in any known leak.' },
	leaks_found: { uk: 'Ваші дані знайдено у {count} витоках:', pl: 'Twoje dane znaleziono w wyciekach: {count}', en: 'Your data was found in {count} leak(s):' },
	leaks_entry: { uk: '«{dump}», вперше помічено {date}', pl: '„{dump}”, pierwszy raz widziany {date}', en: '"{dump}", first seen {date}' },
	leaks_fields: { uk: 'Що потрапило: {fields}', pl: 'Co wyciekło: {fields}', en: 'What leaked: {fields}' },
	leaks_advice: { uk: 'Якщо витік містить номер документа, повідомте про втрату й отримайте новий.', pl: 'Jeśli wyciek zawiera numer dokumentu, zgłoś utratę i uzyskaj nowy.', en: 'If a leak holds a document number, report it lost and get a new one.' },
	leaks_unavailable: { uk: 'Служба витоків зараз недоступна.', pl: 'Usługa wycieków jest teraz niedostępna.', en: 'The leak service is not available now.' },

	bind_title: { uk: 'Підтвердити перевіряльнику', pl: 'Potwierdź sprawdzającemu', en: 'Confirm to a verifier' },
	bind_intro: { uk: 'Перевіряльник показує QR-виклик після сканування вашого коду. Зчитайте його — і підтвердіть, що код показуєте саме ви з цього пристрою.', pl: 'Sprawdzający pokazuje kod QR-wyzwanie po zeskanowaniu Twojego kodu. Zeskanuj go i potwierdź, że to Ty pokazujesz kod z tego urządzenia.', en: 'After scanning your code, the verifier shows a challenge QR. Read it, then confirm that it is you, on this device, showing the code.' },
	bind_camera: { uk: 'Сканувати камерою', pl: 'Skanuj aparatem', en: 'Scan with the camera' },
	bind_stop_camera: { uk: 'Зупинити камеру', pl: 'Zatrzymaj aparat', en: 'Stop the camera' },
	bind_upload: { uk: 'Або виберіть знімок QR-виклику', pl: 'Albo wybierz zdjęcie kodu QR-wyzwania', en: 'Or choose a picture of the challenge QR' },
	bind_video: { uk: 'Зображення з камери', pl: 'Obraz z aparatu', en: 'Camera picture' },
	bind_no_qr: { uk: 'На зображенні немає QR-коду.', pl: 'Na obrazie nie ma kodu QR.', en: 'No QR code found in the picture.' },
	bind_not_challenge: { uk: 'Це не QR-виклик перевіряльника.', pl: 'To nie jest kod QR-wyzwanie sprawdzającego.', en: 'This is not a verifier\'s challenge QR.' },
	bind_other_document: { uk: 'Ця перевірка стосується іншого документа (або ваш QR старший за 180 с). Не підтверджуйте.', pl: 'To sprawdzenie dotyczy innego dokumentu (albo Twój QR jest starszy niż 180 s). Nie potwierdzaj.', en: 'This check is for another document (or your QR is older than 180 s). Do not confirm.' },
	bind_question: { uk: 'Підтвердити, що «{doc}» показуєте ви?', pl: 'Potwierdzić, że to Ty pokazujesz „{doc}”?', en: 'Confirm that you are the one showing the {doc}?' },
	bind_confirm: { uk: 'Так, це я', pl: 'Tak, to ja', en: 'Yes, it is me' },
	bind_response: { uk: 'Покажіть цей QR перевіряльнику:', pl: 'Pokaż ten kod QR sprawdzającemu:', en: 'Show this QR to the verifier:' },
	bind_response_alt: { uk: 'QR-відповідь для перевіряльника', pl: 'Kod QR-odpowiedź dla sprawdzającego', en: 'Response QR for the verifier' },
	bind_camera_denied: { uk: 'Камера недоступна. Виберіть знімок замість неї.', pl: 'Aparat jest niedostępny. Wybierz zdjęcie.', en: 'The camera is not available. Choose a picture instead.' },
	bind_no_qr_shown: { uk: 'Спершу покажіть QR документа (вкладка «Документи»).', pl: 'Najpierw pokaż kod QR dokumentu (zakładka „Dokumenty”).', en: 'First show a document\'s QR (the Documents tab).' },
};
// ---- end wallet -------------------------------------------------------------
