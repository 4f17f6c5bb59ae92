/*
 * population_names.c — the names and places synthetic people are made of, and
 * the transliterations that give their names in Latin letters.
 *
 * Tables hold common given names, family names (in their male form; the female
 * form follows the language's rule), streets, regions and cities of Ukraine and
 * Poland. A generated person is a random combination, not anyone in particular.
 *
 * Ukrainian transliteration follows the table of the Cabinet of Ministers of
 * Ukraine's Resolution No. 55 of 27 January 2010, "On the regulation of the
 * transliteration of the Ukrainian alphabet in Latin", which passports use:
 * Є Ї Й Ю Я are Ye Yi Y Yu Ya at the start of a word and ie i i iu ia elsewhere,
 * "зг" is "zgh" (to tell it from "ж" = "zh"), and the soft sign and the
 * apostrophe are not written.
 */
#include <stdio.h>
#include <string.h>

#include "platform/population_internal.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Ukraine ---- */

static const struct population_given_name ua_male[] = {
    {"Олександр", "Олександрович", "Олександрівна"},
    {"Андрій", "Андрійович", "Андріївна"},
    {"Сергій", "Сергійович", "Сергіївна"},
    {"Дмитро", "Дмитрович", "Дмитрівна"},
    {"Іван", "Іванович", "Іванівна"},
    {"Михайло", "Михайлович", "Михайлівна"},
    {"Микола", "Миколайович", "Миколаївна"},
    {"Володимир", "Володимирович", "Володимирівна"},
    {"Віктор", "Вікторович", "Вікторівна"},
    {"Юрій", "Юрійович", "Юріївна"},
    {"Олексій", "Олексійович", "Олексіївна"},
    {"Василь", "Васильович", "Василівна"},
    {"Петро", "Петрович", "Петрівна"},
    {"Павло", "Павлович", "Павлівна"},
    {"Ігор", "Ігорович", "Ігорівна"},
    {"Олег", "Олегович", "Олегівна"},
    {"Богдан", "Богданович", "Богданівна"},
    {"Тарас", "Тарасович", "Тарасівна"},
    {"Максим", "Максимович", "Максимівна"},
    {"Артем", "Артемович", "Артемівна"},
    {"Денис", "Денисович", "Денисівна"},
    {"Євген", "Євгенович", "Євгенівна"},
    {"Роман", "Романович", "Романівна"},
    {"Віталій", "Віталійович", "Віталіївна"},
    {"Анатолій", "Анатолійович", "Анатоліївна"},
    {"Валерій", "Валерійович", "Валеріївна"},
    {"Григорій", "Григорович", "Григорівна"},
    {"Степан", "Степанович", "Степанівна"},
    {"Ярослав", "Ярославович", "Ярославівна"},
    {"Назар", "Назарович", "Назарівна"},
    {"Остап", "Остапович", "Остапівна"},
    {"Данило", "Данилович", "Данилівна"},
    {"Кирило", "Кирилович", "Кирилівна"},
    {"Матвій", "Матвійович", "Матвіївна"},
    {"Владислав", "Владиславович", "Владиславівна"},
    {"Вадим", "Вадимович", "Вадимівна"},
    {"Руслан", "Русланович", "Русланівна"},
    {"Станіслав", "Станіславович", "Станіславівна"},
    {"Святослав", "Святославович", "Святославівна"},
    {"Ростислав", "Ростиславович", "Ростиславівна"},
    {"Всеволод", "Всеволодович", "Всеволодівна"},
    {"Геннадій", "Геннадійович", "Геннадіївна"},
    {"Леонід", "Леонідович", "Леонідівна"},
    {"Борис", "Борисович", "Борисівна"},
    {"Федір", "Федорович", "Федорівна"},
    {"Яків", "Якович", "Яківна"},
    {"Антон", "Антонович", "Антонівна"},
    {"Костянтин", "Костянтинович", "Костянтинівна"},
    {"Едуард", "Едуардович", "Едуардівна"},
    {"Валентин", "Валентинович", "Валентинівна"},
    {"Аркадій", "Аркадійович", "Аркадіївна"},
    {"Семен", "Семенович", "Семенівна"},
    {"Орест", "Орестович", "Орестівна"},
    {"Мирослав", "Мирославович", "Мирославівна"},
    {"Зиновій", "Зиновійович", "Зиновіївна"},
    {"Любомир", "Любомирович", "Любомирівна"},
    {"Ілля", "Ілліч", "Іллівна"},
    {"Лука", "Лукич", "Луківна"},
    {"Марко", "Маркович", "Марківна"},
    {"Тимофій", "Тимофійович", "Тимофіївна"},
    {"Єгор", "Єгорович", "Єгорівна"},
    {"Гліб", "Глібович", "Глібівна"},
    {"Захар", "Захарович", "Захарівна"},
    {"Арсен", "Арсенович", "Арсенівна"},
    {"Нестор", "Несторович", "Несторівна"},
    {"Юліан", "Юліанович", "Юліанівна"},
    {"Олесь", "Олесьович", "Олесівна"},
    {"Ярема", "Яремович", "Яремівна"},
    {"Устим", "Устимович", "Устимівна"},
    {"Панас", "Панасович", "Панасівна"},
    {"Дем'ян", "Дем'янович", "Дем'янівна"},
    {"В'ячеслав", "В'ячеславович", "В'ячеславівна"},
};

static const struct population_given_name ua_female[] = {
    {"Олена", NULL, NULL},     {"Ольга", NULL, NULL},      {"Наталія", NULL, NULL},
    {"Тетяна", NULL, NULL},    {"Ірина", NULL, NULL},      {"Світлана", NULL, NULL},
    {"Юлія", NULL, NULL},      {"Оксана", NULL, NULL},     {"Марія", NULL, NULL},
    {"Анна", NULL, NULL},      {"Катерина", NULL, NULL},   {"Людмила", NULL, NULL},
    {"Валентина", NULL, NULL}, {"Галина", NULL, NULL},     {"Надія", NULL, NULL},
    {"Любов", NULL, NULL},     {"Віра", NULL, NULL},       {"Лариса", NULL, NULL},
    {"Алла", NULL, NULL},      {"Інна", NULL, NULL},       {"Вікторія", NULL, NULL},
    {"Анастасія", NULL, NULL}, {"Дарина", NULL, NULL},     {"Софія", NULL, NULL},
    {"Христина", NULL, NULL},  {"Соломія", NULL, NULL},    {"Ярослава", NULL, NULL},
    {"Богдана", NULL, NULL},   {"Зоряна", NULL, NULL},     {"Леся", NULL, NULL},
    {"Лілія", NULL, NULL},     {"Марина", NULL, NULL},     {"Ганна", NULL, NULL},
    {"Зінаїда", NULL, NULL},   {"Ніна", NULL, NULL},       {"Раїса", NULL, NULL},
    {"Тамара", NULL, NULL},    {"Лідія", NULL, NULL},      {"Євгенія", NULL, NULL},
    {"Яна", NULL, NULL},       {"Діана", NULL, NULL},      {"Аліна", NULL, NULL},
    {"Вероніка", NULL, NULL},  {"Олександра", NULL, NULL}, {"Поліна", NULL, NULL},
    {"Мирослава", NULL, NULL}, {"Злата", NULL, NULL},      {"Єва", NULL, NULL},
    {"Уляна", NULL, NULL},     {"Мар'яна", NULL, NULL},    {"Роксолана", NULL, NULL},
    {"Стефанія", NULL, NULL},  {"Василина", NULL, NULL},   {"Ангеліна", NULL, NULL},
    {"Маргарита", NULL, NULL}, {"Кіра", NULL, NULL},       {"Єлизавета", NULL, NULL},
    {"Таїсія", NULL, NULL},    {"Ївга", NULL, NULL},       {"Іванна", NULL, NULL},
    {"Віолета", NULL, NULL},   {"Адріана", NULL, NULL},    {"Орися", NULL, NULL},
    {"Устина", NULL, NULL},    {"Емілія", NULL, NULL},     {"Ліліана", NULL, NULL},
};

static const char *const ua_family[] = {
    "Шевченко",     "Коваленко",    "Бондаренко",  "Ткаченко",   "Кравченко",  "Олійник",
    "Шевчук",       "Коваль",       "Поліщук",     "Бондар",     "Ткачук",     "Мельник",
    "Бойко",        "Марченко",     "Руденко",     "Савченко",   "Петренко",   "Клименко",
    "Павленко",     "Кравчук",      "Кузьменко",   "Іваненко",   "Кушнір",     "Мороз",
    "Лисенко",      "Яковенко",     "Сидоренко",   "Литвиненко", "Левченко",   "Гаврилюк",
    "Карпенко",     "Романенко",    "Головко",     "Мельничук",  "Ярошенко",   "Гончаренко",
    "Нестеренко",   "Пономаренко",  "Мартинюк",    "Юрченко",    "Харченко",   "Приходько",
    "Білик",        "Кравець",      "Савчук",      "Захарченко", "Ковальчук",  "Тимошенко",
    "Онищенко",     "Дорошенко",    "Зінченко",    "Гнатюк",     "Костенко",   "Семенко",
    "Остапенко",    "Вакуленко",    "Демченко",    "Шаповал",    "Гордієнко",  "Лук'яненко",
    "Макаренко",    "Степаненко",   "Панченко",    "Федоренко",  "Тарасенко",  "Кириленко",
    "Антоненко",    "Мирошниченко", "Скрипник",    "Гуменюк",    "Стасюк",     "Дячук",
    "Лозинський",   "Ковальський",  "Вишневський", "Заєць",      "Ковтун",     "Білоус",
    "Сорока",       "Ворона",       "Гребенюк",    "Чорний",     "Білий",      "Сірий",
    "Рудий",        "Довгий",       "Кучер",       "Гнатенко",   "Грищенко",   "Назаренко",
    "Вовк",         "Дмитренко",    "Осадчий",     "Пилипенко",  "Бабенко",    "Денисенко",
    "Климчук",      "Ігнатенко",    "Щербак",      "Щербань",    "Пархоменко", "Рибак",
    "Король",       "Козак",        "Гуцул",       "Костюк",     "Тимчук",     "Яремчук",
    "Зубко",        "Федорчук",     "Онуфрієнко",  "Єрмоленко",  "Їжакевич",   "Згуровський",
    "Розгон",       "Криворучко",   "Іщенко",      "Ємець",      "Юрків",      "Янків",
    "Михайлюк",     "Петрів",       "Іванів",      "Павлів",     "Попович",    "Чорновол",
    "Максименко",   "Деркач",       "Луценко",     "Мазур",      "Савицький",  "Левицький",
    "Ковалевський", "Островський",  "Шумський",    "Бережний",   "Задорожний", "Кривошея",
    "Гайдамака",    "Іванов",       "Павлов",      "Семенов",    "Ігнатов",    "Кузьмін",
    "Юрчишин",      "Щербухин",     "Ярмоленко",   "Гайовий",    "Чумак",      "Січкар",
};

static const char *const ua_streets[] = {
    "Шевченка",
    "Івана Франка",
    "Лесі Українки",
    "Грушевського",
    "Соборна",
    "Незалежності",
    "Героїв Майдану",
    "Садова",
    "Центральна",
    "Миру",
    "Шкільна",
    "Лісова",
    "Зелена",
    "Польова",
    "Весняна",
    "Молодіжна",
    "Набережна",
    "Вишнева",
    "Степана Бандери",
    "Михайла Коцюбинського",
    "Богдана Хмельницького",
    "Січових Стрільців",
    "Гетьмана Мазепи",
    "Пирогова",
    "Ярослава Мудрого",
    "Князя Володимира",
    "Затишна",
    "Згоди",
    "Покровська",
    "Василя Стуса",
    "Оболонська",
    "Хрещатик",
    "Європейська",
    "Юності",
    "Яблунева",
    "Ювілейна",
};

#define CITIES(...)                                                                                \
	(const struct population_city[])                                                           \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}
#define PLATES(...)                                                                                \
	(const char *const[])                                                                      \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}
#define REGION(name, adjective, cities, plates)                                                    \
	{                                                                                          \
		name, adjective, cities, sizeof(cities) / sizeof(struct population_city), plates,  \
		    sizeof(plates) / sizeof(const char *)                                          \
	}

static const struct population_region ua_regions[] = {
    REGION("", NULL, CITIES({"Київ", "Київський", NULL}), PLATES("AA", "KA")),
    REGION("Київська обл.", NULL,
	   CITIES({"Бровари", "Броварський", NULL}, {"Бориспіль", "Бориспільський", NULL},
		  {"Біла Церква", "Білоцерківський", NULL}, {"Ірпінь", "Ірпінський", NULL},
		  {"Фастів", "Фастівський", NULL}, {"Згурівка", "Згурівський", NULL}),
	   PLATES("AI", "KI")),
    REGION("Львівська обл.", NULL,
	   CITIES({"Львів", "Львівський", NULL}, {"Дрогобич", "Дрогобицький", NULL},
		  {"Стрий", "Стрийський", NULL}, {"Самбір", "Самбірський", NULL}),
	   PLATES("BC", "HC")),
    REGION("Харківська обл.", NULL,
	   CITIES({"Харків", "Харківський", NULL}, {"Ізюм", "Ізюмський", NULL},
		  {"Чугуїв", "Чугуївський", NULL}, {"Лозова", "Лозівський", NULL}),
	   PLATES("AX", "KX")),
    REGION("Одеська обл.", NULL,
	   CITIES({"Одеса", "Одеський", NULL}, {"Ізмаїл", "Ізмаїльський", NULL},
		  {"Білгород-Дністровський", "Білгород-Дністровський", NULL},
		  {"Подільськ", "Подільський", NULL}),
	   PLATES("BH", "HH")),
    REGION("Дніпропетровська обл.", NULL,
	   CITIES({"Дніпро", "Дніпровський", NULL}, {"Кривий Ріг", "Криворізький", NULL},
		  {"Кам'янське", "Кам'янський", NULL}, {"Нікополь", "Нікопольський", NULL},
		  {"Павлоград", "Павлоградський", NULL}),
	   PLATES("AE", "KE")),
    REGION("Запорізька обл.", NULL,
	   CITIES({"Запоріжжя", "Запорізький", NULL}, {"Мелітополь", "Мелітопольський", NULL},
		  {"Бердянськ", "Бердянський", NULL}),
	   PLATES("AP", "KP")),
    REGION("Донецька обл.", NULL,
	   CITIES({"Краматорськ", "Краматорський", NULL}, {"Слов'янськ", "Слов'янський", NULL},
		  {"Маріуполь", "Маріупольський", NULL}, {"Єнакієве", "Єнакіївський", NULL}),
	   PLATES("AH", "KH")),
    REGION("Луганська обл.", NULL,
	   CITIES({"Сєвєродонецьк", "Сєвєродонецький", NULL}, {"Лисичанськ", "Лисичанський", NULL}),
	   PLATES("BB", "HB")),
    REGION("Вінницька обл.", NULL,
	   CITIES({"Вінниця", "Вінницький", NULL}, {"Жмеринка", "Жмеринський", NULL},
		  {"Могилів-Подільський", "Могилів-Подільський", NULL}),
	   PLATES("AB", "KB")),
    REGION("Волинська обл.", NULL,
	   CITIES({"Луцьк", "Луцький", NULL}, {"Ковель", "Ковельський", NULL},
		  {"Володимир", "Володимирський", NULL}),
	   PLATES("AC", "KC")),
    REGION("Житомирська обл.", NULL,
	   CITIES({"Житомир", "Житомирський", NULL}, {"Бердичів", "Бердичівський", NULL},
		  {"Коростень", "Коростенський", NULL}),
	   PLATES("AM", "KM")),
    REGION("Закарпатська обл.", NULL,
	   CITIES({"Ужгород", "Ужгородський", NULL}, {"Мукачево", "Мукачівський", NULL},
		  {"Хуст", "Хустський", NULL}),
	   PLATES("AO", "KO")),
    REGION("Івано-Франківська обл.", NULL,
	   CITIES({"Івано-Франківськ", "Івано-Франківський", NULL}, {"Калуш", "Калуський", NULL},
		  {"Коломия", "Коломийський", NULL}),
	   PLATES("AT", "KT")),
    REGION(
	"Кіровоградська обл.", NULL,
	CITIES({"Кропивницький", "Кропивницький", NULL}, {"Олександрія", "Олександрійський", NULL}),
	PLATES("BA", "HA")),
    REGION("Миколаївська обл.", NULL,
	   CITIES({"Миколаїв", "Миколаївський", NULL}, {"Первомайськ", "Первомайський", NULL},
		  {"Вознесенськ", "Вознесенський", NULL}),
	   PLATES("BE", "HE")),
    REGION("Полтавська обл.", NULL,
	   CITIES({"Полтава", "Полтавський", NULL}, {"Кременчук", "Кременчуцький", NULL},
		  {"Миргород", "Миргородський", NULL}),
	   PLATES("BI", "HI")),
    REGION("Рівненська обл.", NULL,
	   CITIES({"Рівне", "Рівненський", NULL}, {"Дубно", "Дубенський", NULL},
		  {"Вараш", "Вараський", NULL}),
	   PLATES("BK", "HK")),
    REGION("Сумська обл.", NULL,
	   CITIES({"Суми", "Сумський", NULL}, {"Конотоп", "Конотопський", NULL},
		  {"Шостка", "Шосткинський", NULL}),
	   PLATES("BM", "HM")),
    REGION("Тернопільська обл.", NULL,
	   CITIES({"Тернопіль", "Тернопільський", NULL}, {"Чортків", "Чортківський", NULL},
		  {"Кременець", "Кременецький", NULL}),
	   PLATES("BO", "HO")),
    REGION("Херсонська обл.", NULL,
	   CITIES({"Херсон", "Херсонський", NULL}, {"Нова Каховка", "Новокаховський", NULL}),
	   PLATES("BT", "HT")),
    REGION("Хмельницька обл.", NULL,
	   CITIES({"Хмельницький", "Хмельницький", NULL},
		  {"Кам'янець-Подільський", "Кам'янець-Подільський", NULL},
		  {"Шепетівка", "Шепетівський", NULL}),
	   PLATES("BX", "HX")),
    REGION("Черкаська обл.", NULL,
	   CITIES({"Черкаси", "Черкаський", NULL}, {"Умань", "Уманський", NULL},
		  {"Сміла", "Смілянський", NULL}),
	   PLATES("CA", "IA")),
    REGION(
	"Чернівецька обл.", NULL,
	CITIES({"Чернівці", "Чернівецький", NULL}, {"Новодністровськ", "Новодністровський", NULL}),
	PLATES("CE", "IE")),
    REGION("Чернігівська обл.", NULL,
	   CITIES({"Чернігів", "Чернігівський", NULL}, {"Ніжин", "Ніжинський", NULL},
		  {"Прилуки", "Прилуцький", NULL}),
	   PLATES("CB", "IB")),
};

const struct population_name_tables population_names_ua = {
    .male = ua_male,
    .male_count = COUNT(ua_male),
    .female = ua_female,
    .female_count = COUNT(ua_female),
    .family = ua_family,
    .family_count = COUNT(ua_family),
    .streets = ua_streets,
    .street_count = COUNT(ua_streets),
    .regions = ua_regions,
    .region_count = COUNT(ua_regions),
    .capital_per_mille = 70,
};

/* ---- Poland ---- */

static const struct population_given_name pl_male[] = {
    {"Piotr", NULL, NULL},      {"Krzysztof", NULL, NULL},  {"Andrzej", NULL, NULL},
    {"Tomasz", NULL, NULL},     {"Paweł", NULL, NULL},      {"Michał", NULL, NULL},
    {"Marcin", NULL, NULL},     {"Jakub", NULL, NULL},      {"Adam", NULL, NULL},
    {"Łukasz", NULL, NULL},     {"Mateusz", NULL, NULL},    {"Marek", NULL, NULL},
    {"Grzegorz", NULL, NULL},   {"Jan", NULL, NULL},        {"Wojciech", NULL, NULL},
    {"Stanisław", NULL, NULL},  {"Rafał", NULL, NULL},      {"Dariusz", NULL, NULL},
    {"Robert", NULL, NULL},     {"Kamil", NULL, NULL},      {"Mariusz", NULL, NULL},
    {"Jacek", NULL, NULL},      {"Zbigniew", NULL, NULL},   {"Jerzy", NULL, NULL},
    {"Józef", NULL, NULL},      {"Tadeusz", NULL, NULL},    {"Kacper", NULL, NULL},
    {"Szymon", NULL, NULL},     {"Maciej", NULL, NULL},     {"Sebastian", NULL, NULL},
    {"Damian", NULL, NULL},     {"Przemysław", NULL, NULL}, {"Mirosław", NULL, NULL},
    {"Artur", NULL, NULL},      {"Bartosz", NULL, NULL},    {"Patryk", NULL, NULL},
    {"Dawid", NULL, NULL},      {"Filip", NULL, NULL},      {"Antoni", NULL, NULL},
    {"Aleksander", NULL, NULL}, {"Franciszek", NULL, NULL}, {"Wiktor", NULL, NULL},
    {"Nikodem", NULL, NULL},    {"Igor", NULL, NULL},       {"Oskar", NULL, NULL},
    {"Hubert", NULL, NULL},     {"Dominik", NULL, NULL},    {"Karol", NULL, NULL},
    {"Ryszard", NULL, NULL},    {"Henryk", NULL, NULL},     {"Kazimierz", NULL, NULL},
    {"Zdzisław", NULL, NULL},   {"Władysław", NULL, NULL},  {"Czesław", NULL, NULL},
    {"Bogdan", NULL, NULL},     {"Leszek", NULL, NULL},     {"Sławomir", NULL, NULL},
    {"Waldemar", NULL, NULL},   {"Radosław", NULL, NULL},   {"Arkadiusz", NULL, NULL},
    {"Janusz", NULL, NULL},     {"Mikołaj", NULL, NULL},    {"Ignacy", NULL, NULL},
    {"Leon", NULL, NULL},       {"Stefan", NULL, NULL},     {"Bolesław", NULL, NULL},
    {"Witold", NULL, NULL},     {"Zenon", NULL, NULL},      {"Eugeniusz", NULL, NULL},
    {"Edward", NULL, NULL},
};

static const struct population_given_name pl_female[] = {
    {"Anna", NULL, NULL},       {"Maria", NULL, NULL},     {"Katarzyna", NULL, NULL},
    {"Małgorzata", NULL, NULL}, {"Agnieszka", NULL, NULL}, {"Barbara", NULL, NULL},
    {"Ewa", NULL, NULL},        {"Krystyna", NULL, NULL},  {"Elżbieta", NULL, NULL},
    {"Magdalena", NULL, NULL},  {"Joanna", NULL, NULL},    {"Zofia", NULL, NULL},
    {"Aleksandra", NULL, NULL}, {"Monika", NULL, NULL},    {"Teresa", NULL, NULL},
    {"Danuta", NULL, NULL},     {"Natalia", NULL, NULL},   {"Karolina", NULL, NULL},
    {"Marta", NULL, NULL},      {"Beata", NULL, NULL},     {"Dorota", NULL, NULL},
    {"Halina", NULL, NULL},     {"Jadwiga", NULL, NULL},   {"Janina", NULL, NULL},
    {"Irena", NULL, NULL},      {"Jolanta", NULL, NULL},   {"Iwona", NULL, NULL},
    {"Grażyna", NULL, NULL},    {"Justyna", NULL, NULL},   {"Bożena", NULL, NULL},
    {"Urszula", NULL, NULL},    {"Renata", NULL, NULL},    {"Paulina", NULL, NULL},
    {"Sylwia", NULL, NULL},     {"Agata", NULL, NULL},     {"Julia", NULL, NULL},
    {"Zuzanna", NULL, NULL},    {"Hanna", NULL, NULL},     {"Lena", NULL, NULL},
    {"Maja", NULL, NULL},       {"Alicja", NULL, NULL},    {"Oliwia", NULL, NULL},
    {"Amelia", NULL, NULL},     {"Wiktoria", NULL, NULL},  {"Emilia", NULL, NULL},
    {"Weronika", NULL, NULL},   {"Gabriela", NULL, NULL},  {"Dominika", NULL, NULL},
    {"Patrycja", NULL, NULL},   {"Izabela", NULL, NULL},   {"Kamila", NULL, NULL},
    {"Marianna", NULL, NULL},   {"Jagoda", NULL, NULL},    {"Łucja", NULL, NULL},
    {"Bogumiła", NULL, NULL},   {"Genowefa", NULL, NULL},  {"Stanisława", NULL, NULL},
    {"Wanda", NULL, NULL},      {"Celina", NULL, NULL},    {"Helena", NULL, NULL},
    {"Kinga", NULL, NULL},      {"Ilona", NULL, NULL},     {"Edyta", NULL, NULL},
    {"Mirosława", NULL, NULL},  {"Wiesława", NULL, NULL},
};

static const char *const pl_family[] = {
    "Nowak",       "Kowalski",    "Wiśniewski",    "Wójcik",      "Kowalczyk",   "Kamiński",
    "Lewandowski", "Zieliński",   "Szymański",     "Woźniak",     "Dąbrowski",   "Kozłowski",
    "Jankowski",   "Mazur",       "Wojciechowski", "Kwiatkowski", "Krawczyk",    "Kaczmarek",
    "Piotrowski",  "Grabowski",   "Zając",         "Pawłowski",   "Michalski",   "Król",
    "Wieczorek",   "Jabłoński",   "Wróbel",        "Nowakowski",  "Majewski",    "Olszewski",
    "Stępień",     "Malinowski",  "Jaworski",      "Adamczyk",    "Dudek",       "Nowicki",
    "Pawlak",      "Górski",      "Witkowski",     "Walczak",     "Sikora",      "Baran",
    "Rutkowski",   "Michalak",    "Szewczyk",      "Ostrowski",   "Tomaszewski", "Pietrzak",
    "Zalewski",    "Wróblewski",  "Marciniak",     "Jasiński",    "Zawadzki",    "Bąk",
    "Jakubowski",  "Sadowski",    "Duda",          "Włodarczyk",  "Wilk",        "Chmielewski",
    "Borkowski",   "Sokołowski",  "Szczepański",   "Sawicki",     "Lis",         "Kucharski",
    "Kalinowski",  "Wysocki",     "Mazurek",       "Kubiak",      "Maciejewski", "Czarnecki",
    "Kołodziej",   "Kaźmierczak", "Urbański",      "Sobczak",     "Konieczny",   "Głowacki",
    "Zakrzewski",  "Krupa",       "Wasilewski",    "Krajewski",   "Adamski",     "Sikorski",
    "Laskowski",   "Ziółkowski",  "Przybylski",    "Gajewski",    "Szulc",       "Makowski",
    "Baranowski",  "Błaszczyk",   "Brzeziński",    "Kaczmarczyk", "Szymczak",    "Kowalewski",
    "Górecki",     "Żak",         "Żukowski",      "Łuczak",      "Śliwa",       "Źrałek",
    "Kozieł",      "Sowa",        "Ćwikliński",    "Ślusarczyk",  "Bieliński",   "Wawrzyniak",
};

static const char *const pl_streets[] = {
    "Marszałkowska",
    "Długa",
    "Polna",
    "Leśna",
    "Słoneczna",
    "Krótka",
    "Szkolna",
    "Ogrodowa",
    "Lipowa",
    "Łąkowa",
    "Brzozowa",
    "Kwiatowa",
    "Kościelna",
    "Akacjowa",
    "Sosnowa",
    "Mickiewicza",
    "Kościuszki",
    "Słowackiego",
    "Sienkiewicza",
    "Piłsudskiego",
    "Jana Pawła II",
    "3 Maja",
    "Wojska Polskiego",
    "Kolejowa",
    "Młyńska",
    "Parkowa",
    "Zielona",
    "Wiejska",
    "Żeromskiego",
    "Grunwaldzka",
    "Świętokrzyska",
    "Dworcowa",
    "Ogrodowa",
    "Rynek",
    "Źródlana",
};

static const struct population_region pl_regions[] = {
    REGION("mazowieckie", "Mazowiecki",
	   CITIES({"Warszawa", "Warszawie", "00"}, {"Radom", "Radomiu", "26"},
		  {"Płock", "Płocku", "09"}, {"Siedlce", "Siedlcach", "08"}),
	   PLATES("WA", "WB", "WD", "WE", "WF", "WH", "WI", "WJ", "WK", "WN", "WT", "WU", "WW",
		  "WX", "WY", "WR", "WP", "WS")),
    REGION("małopolskie", "Małopolski",
	   CITIES({"Kraków", "Krakowie", "30"}, {"Tarnów", "Tarnowie", "33"},
		  {"Nowy Sącz", "Nowym Sączu", "33"}),
	   PLATES("KR", "KT", "KN")),
    REGION("śląskie", "Śląski",
	   CITIES({"Katowice", "Katowicach", "40"}, {"Gliwice", "Gliwicach", "44"},
		  {"Częstochowa", "Częstochowie", "42"}, {"Bielsko-Biała", "Bielsku-Białej", "43"}),
	   PLATES("SK", "SG", "SC", "SB")),
    REGION("wielkopolskie", "Wielkopolski",
	   CITIES({"Poznań", "Poznaniu", "60"}, {"Kalisz", "Kaliszu", "62"},
		  {"Konin", "Koninie", "62"}, {"Piła", "Pile", "64"}),
	   PLATES("PO", "PZ", "PK", "PN", "PP")),
    REGION("dolnośląskie", "Dolnośląski",
	   CITIES({"Wrocław", "Wrocławiu", "50"}, {"Wałbrzych", "Wałbrzychu", "58"},
		  {"Legnica", "Legnicy", "59"}, {"Jelenia Góra", "Jeleniej Górze", "58"}),
	   PLATES("DW", "DB", "DL", "DJ")),
    REGION("łódzkie", "Łódzki",
	   CITIES({"Łódź", "Łodzi", "90"},
		  {"Piotrków Trybunalski", "Piotrkowie Trybunalskim", "97"},
		  {"Skierniewice", "Skierniewicach", "96"}),
	   PLATES("EL", "EP", "ES")),
    REGION(
	"pomorskie", "Pomorski",
	CITIES({"Gdańsk", "Gdańsku", "80"}, {"Gdynia", "Gdyni", "81"}, {"Słupsk", "Słupsku", "76"}),
	PLATES("GD", "GA", "GS")),
    REGION("zachodniopomorskie", "Zachodniopomorski",
	   CITIES({"Szczecin", "Szczecinie", "70"}, {"Koszalin", "Koszalinie", "75"},
		  {"Świnoujście", "Świnoujściu", "72"}),
	   PLATES("ZS", "ZK")),
    REGION("lubelskie", "Lubelski",
	   CITIES({"Lublin", "Lublinie", "20"}, {"Zamość", "Zamościu", "22"},
		  {"Chełm", "Chełmie", "22"}, {"Biała Podlaska", "Białej Podlaskiej", "21"}),
	   PLATES("LU", "LZ", "LC", "LB")),
    REGION("podkarpackie", "Podkarpacki",
	   CITIES({"Rzeszów", "Rzeszowie", "35"}, {"Przemyśl", "Przemyślu", "37"},
		  {"Krosno", "Krośnie", "38"}),
	   PLATES("RZ", "RP", "RK")),
    REGION("kujawsko-pomorskie", "Kujawsko-Pomorski",
	   CITIES({"Bydgoszcz", "Bydgoszczy", "85"}, {"Toruń", "Toruniu", "87"},
		  {"Włocławek", "Włocławku", "87"}, {"Grudziądz", "Grudziądzu", "86"}),
	   PLATES("CB", "CT", "CW", "CG")),
    REGION("podlaskie", "Podlaski",
	   CITIES({"Białystok", "Białymstoku", "15"}, {"Suwałki", "Suwałkach", "16"},
		  {"Łomża", "Łomży", "18"}),
	   PLATES("BI", "BS", "BL")),
    REGION("świętokrzyskie", "Świętokrzyski",
	   CITIES({"Kielce", "Kielcach", "25"},
		  {"Ostrowiec Świętokrzyski", "Ostrowcu Świętokrzyskim", "27"}),
	   PLATES("TK", "TO")),
    REGION(
	"warmińsko-mazurskie", "Warmińsko-Mazurski",
	CITIES({"Olsztyn", "Olsztynie", "10"}, {"Elbląg", "Elblągu", "82"}, {"Ełk", "Ełku", "19"}),
	PLATES("NO", "NE")),
    REGION("opolskie", "Opolski",
	   CITIES({"Opole", "Opolu", "45"}, {"Kędzierzyn-Koźle", "Kędzierzynie-Koźlu", "47"},
		  {"Nysa", "Nysie", "48"}),
	   PLATES("OP", "OK")),
    REGION("lubuskie", "Lubuski",
	   CITIES({"Zielona Góra", "Zielonej Górze", "65"},
		  {"Gorzów Wielkopolski", "Gorzowie Wielkopolskim", "66"}),
	   PLATES("FZ", "FG")),
};

const struct population_name_tables population_names_pl = {
    .male = pl_male,
    .male_count = COUNT(pl_male),
    .female = pl_female,
    .female_count = COUNT(pl_female),
    .family = pl_family,
    .family_count = COUNT(pl_family),
    .streets = pl_streets,
    .street_count = COUNT(pl_streets),
    .regions = pl_regions,
    .region_count = COUNT(pl_regions),
    .capital_per_mille = 50,
};

/* ---- female family names ---- */

static bool ends_with(const char *text, const char *suffix)
{
	size_t n = strlen(text), k = strlen(suffix);

	return n >= k && memcmp(text + n - k, suffix, k) == 0;
}

void population_family_name(bool ukrainian, const char *male, char sex, char *out, size_t cap)
{
	size_t n = strlen(male);

	snprintf(out, cap, "%s", male);
	if (sex != 'F')
		return;
	if (ukrainian) {
		/* adjectives: Лозинський → Лозинська, Чорний → Чорна */
		if (ends_with(male, "ий"))
			snprintf(out, cap, "%.*sа", (int)(n - strlen("ий")), male);
		/* possessives: Іванов → Іванова, Кузьмін → Кузьміна */
		else if (ends_with(male, "ов") || ends_with(male, "ев") || ends_with(male, "єв") ||
			 ends_with(male, "ін") || ends_with(male, "їн"))
			snprintf(out, cap, "%sа", male);
		/* -енко, -ук, -ак, consonants: the same for women */
		return;
	}
	/* Kowalski → Kowalska, Zawadzki → Zawadzka, Konieczny → Konieczna */
	if (ends_with(male, "ki") || ends_with(male, "y"))
		snprintf(out, cap, "%.*sa", (int)(n - 1), male);
}

/* ---- transliteration ---- */

/* Decodes one UTF-8 character at *s (advancing it); invalid bytes come back as
 * themselves, one at a time. */
static unsigned decode(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;

	if (p[0] >= 0xc2 && p[0] <= 0xdf && (p[1] & 0xc0) == 0x80) {
		*s += 2;
		return (unsigned)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
	}
	if (p[0] >= 0xe0 && p[0] <= 0xef && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80) {
		*s += 3;
		return (unsigned)(p[0] & 0x0f) << 12 | (unsigned)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
	}
	*s += 1;
	return p[0];
}

/* Lower-case Ukrainian letter for code point c, or 0 when c is not one. */
static unsigned ua_lower(unsigned c)
{
	if (c >= 0x0410 && c <= 0x042f)
		return c + 0x20; /* А..Я */
	if (c == 0x0404 || c == 0x0406 || c == 0x0407)
		return c + 0x50; /* Є І Ї */
	if (c == 0x0490)
		return 0x0491; /* Ґ */
	if ((c >= 0x0430 && c <= 0x044f) || c == 0x0454 || c == 0x0456 || c == 0x0457 ||
	    c == 0x0491)
		return c;
	return 0;
}

static bool is_apostrophe(unsigned c)
{
	return c == '\'' || c == 0x2019 || c == 0x02bc;
}

/* Latin for lower-case letter c: [0] elsewhere in a word, [1] at its start. */
static void ua_latin(unsigned c, const char **inside, const char **initial)
{
	static const char *const table[32] = {
	    "a", "b", "v", "h", "d", "e",  "zh", "z",  "y",  "i",    "k", "l", "m", "n", "o",  "p",
	    "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "",  "y", "",  "e", "iu", "ia",
	};

	*initial = NULL;
	switch (c) {
	case 0x0454: /* є */
		*inside = "ie";
		*initial = "ye";
		return;
	case 0x0456: /* і */
		*inside = "i";
		return;
	case 0x0457: /* ї */
		*inside = "i";
		*initial = "yi";
		return;
	case 0x0491: /* ґ */
		*inside = "g";
		return;
	case 0x0439: /* й */
		*inside = "i";
		*initial = "y";
		return;
	case 0x044e: /* ю */
		*inside = "iu";
		*initial = "yu";
		return;
	case 0x044f: /* я */
		*inside = "ia";
		*initial = "ya";
		return;
	default:
		/* а..я; ъ ы э (not Ukrainian) fall back to the nearest sound */
		*inside = table[c - 0x0430];
	}
}

static bool append(char *out, size_t cap, size_t *n, const char *text, size_t len)
{
	if (*n + len + 1 > cap)
		return false;
	memcpy(out + *n, text, len);
	*n += len;
	out[*n] = 0;
	return true;
}

size_t population_latin_uk(const char *text, char *out, size_t cap)
{
	const char *s = text;
	unsigned previous = 0; /* the previous letter, lower case; 0 after a non-letter */
	bool previous_upper = false;
	size_t n = 0;

	if (cap == 0)
		return (size_t)-1;
	out[0] = 0;
	while (*s) {
		const char *start = s, *peek;
		unsigned c = decode(&s), lower = ua_lower(c), next;
		const char *inside, *initial, *latin;
		char piece[8];
		bool upper, word_upper;
		size_t len;

		if (lower == 0) {
			if (is_apostrophe(c))
				continue; /* dropped, and the word goes on */
			if (!append(out, cap, &n, start, (size_t)(s - start)))
				return (size_t)-1;
			previous = 0;
			previous_upper = false;
			continue;
		}
		ua_latin(lower, &inside, &initial);
		latin = previous == 0 && initial != NULL ? initial : inside;
		/* "зг" is "zgh", telling it apart from "ж" (zh) */
		if (lower == 0x0433 && previous == 0x0437)
			latin = "gh";
		upper = lower != c;
		peek = s;
		next = *peek ? decode(&peek) : 0;
		/* A capital in a word of capitals makes every letter of its digraph
		 * a capital (ЩУКА: SHCHUKA); otherwise only the first (Щука: Shchuka). */
		word_upper = upper && ((ua_lower(next) != 0 && ua_lower(next) != next) ||
				       (previous != 0 && previous_upper));
		len = strlen(latin);
		if (len > sizeof(piece))
			return (size_t)-1; /* the table's pieces are at most 4 letters */
		memcpy(piece, latin, len);
		for (size_t i = 0; i < len && upper; i++) {
			if (i == 0 || word_upper)
				piece[i] = (char)(piece[i] - 'a' + 'A');
		}
		if (!append(out, cap, &n, piece, len))
			return (size_t)-1;
		previous = lower;
		previous_upper = upper;
	}
	return n;
}

size_t population_latin_pl(const char *text, char *out, size_t cap)
{
	static const struct {
		unsigned code;
		char latin;
	} letters[] = {
	    {0x0105, 'a'}, {0x0107, 'c'}, {0x0119, 'e'}, {0x0142, 'l'}, {0x0144, 'n'},
	    {0x00f3, 'o'}, {0x015b, 's'}, {0x017a, 'z'}, {0x017c, 'z'}, {0x0104, 'A'},
	    {0x0106, 'C'}, {0x0118, 'E'}, {0x0141, 'L'}, {0x0143, 'N'}, {0x00d3, 'O'},
	    {0x015a, 'S'}, {0x0179, 'Z'}, {0x017b, 'Z'},
	};
	const char *s = text;
	size_t n = 0;

	if (cap == 0)
		return (size_t)-1;
	out[0] = 0;
	while (*s) {
		const char *start = s;
		unsigned c = decode(&s);
		const char *latin = start;
		size_t len;

		for (size_t i = 0; i < COUNT(letters); i++) {
			if (letters[i].code == c)
				latin = &letters[i].latin;
		}
		len = latin == start ? (size_t)(s - start) : 1;
		if (!append(out, cap, &n, latin, len))
			return (size_t)-1;
	}
	return n;
}

void population_latin_upper(bool ukrainian, const char *text, char *out, size_t cap)
{
	size_t n =
	    ukrainian ? population_latin_uk(text, out, cap) : population_latin_pl(text, out, cap);
	size_t w = 0;

	if (n == (size_t)-1) {
		snprintf(out, cap, "X");
		return;
	}
	/* The schema's Latin fields hold A-Z, space, hyphen and apostrophe only. */
	for (size_t i = 0; i < n; i++) {
		char c = out[i];

		if (c >= 'a' && c <= 'z')
			out[w++] = (char)(c - 'a' + 'A');
		else if ((c >= 'A' && c <= 'Z') || c == ' ' || c == '-' || c == '\'')
			out[w++] = c;
	}
	out[w] = 0;
	if (w == 0)
		snprintf(out, cap, "X");
}
