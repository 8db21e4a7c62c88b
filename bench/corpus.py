"""The benchmark corpus: 60 Polish announcement paragraphs (2–5 sentences each).

Written for the benchmark (not taken from anywhere): opening hours, workshops,
courses, donation drives, volunteering, help points — with times, dates, URLs,
e-mail addresses and phone numbers, like the announcements the pipeline is for.
Grouped into 6 documents of 10 paragraphs (``DOCUMENTS``); ``PARAGRAPHS`` is the
flat list in the same order.
"""

from __future__ import annotations

from pathlib import Path

DOCUMENTS: dict[str, list[str]] = {
    "godziny-otwarcia": [
        "Od 1 marca biblioteka jest czynna od poniedziałku do piątku w godz. 9:00–19:00. W soboty zapraszamy od 10:00 do 15:00. W niedziele i święta biblioteka jest nieczynna.",
        "W poniedziałek 14 kwietnia wypożyczalnia będzie zamknięta z powodu inwentaryzacji. Czytelnia działa bez zmian. Książki można oddawać do wrzutni przy wejściu od ul. Długiej 12.",
        "W okresie wakacji obowiązują skrócone godziny pracy. Od 1 lipca do 31 sierpnia zapraszamy w dni powszednie od 10:00 do 16:00. Aktualny grafik znajdziesz na stronie https://biblioteka-mokotow.waw.pl/godziny.",
        "Punkt informacyjny dla osób z Ukrainy działa we wtorki i czwartki od 12:00 do 18:00. Dyżurują u nas tłumacze języka ukraińskiego i rosyjskiego. Nie trzeba się wcześniej zapisywać.",
        "Filia nr 3 przy ul. Słonecznej 8 przechodzi remont. Do odwołania wszystkie sprawy załatwisz w bibliotece głównej. Przepraszamy za utrudnienia i dziękujemy za cierpliwość.",
        "W Wigilię biblioteka będzie otwarta tylko do 13:00. Między świętami pracujemy w zwykłych godzinach. Od 2 stycznia wracamy do pełnego grafiku.",
        "Kawiarenka internetowa na parterze jest dostępna codziennie od 9:30 do 18:30. Jedna sesja trwa 60 minut. Drukowanie kosztuje 0,50 zł za stronę, a skanowanie jest bezpłatne.",
        "Od przyszłego tygodnia sekretariat fundacji przyjmuje interesantów tylko po wcześniejszym umówieniu. Prosimy o kontakt pod numerem +48 22 614 27 90. Możesz też napisać na adres kontakt@fundacja-przystan.org.",
        "Ze względu na awarię ogrzewania w czwartek 9 stycznia sala konferencyjna pozostanie zamknięta. Zaplanowane spotkania przenosimy do czytelni na pierwszym piętrze. O kolejnych zmianach poinformujemy na stronie www.przystan.org.pl.",
        "Wypożyczalnia dla dzieci zaprasza w nowych godzinach. Od poniedziałku do czwartku czekamy na Was od 11:00 do 18:00. W piątki otwieramy już o 9:00, bo rano przychodzą do nas grupy przedszkolne.",
    ],
    "warsztaty": [
        "Zapraszamy dzieci w wieku 6–10 lat na warsztaty plastyczne. Zajęcia odbywają się w każdą sobotę o 11:00 w sali nr 4. Liczba miejsc jest ograniczona do 15 osób.",
        "W czwartek 20 marca o 17:30 odbędą się warsztaty pisania CV po polsku. Pokażemy, jak przygotować list motywacyjny i jak rozmawiać z pracodawcą. Zapisy pod numerem 601 234 567.",
        "Warsztaty komputerowe dla seniorów ruszają 3 października. Nauczymy się korzystać z poczty e-mail, bankowości internetowej i wideorozmów z rodziną. Spotkania trwają 90 minut i są bezpłatne.",
        "Klub gier planszowych spotyka się w każdy piątek od 16:00 do 20:00. Gry zapewniamy my, wystarczy przyjść z dobrym humorem. Zapraszamy rodziny z dziećmi i dorosłych.",
        "Zapraszamy na warsztaty kulinarne „Smaki Ukrainy i Polski” w sobotę 12 kwietnia o 14:00. Razem przygotujemy pierogi, barszcz i wareniki. Koszt udziału wynosi 20 zł, a dochód przeznaczymy na zbiórkę dla dzieci.",
        "Fotograficzne warsztaty dla młodzieży prowadzi pani Anna Kowalska. Zajęcia odbywają się w środy o 16:30. Wystarczy telefon z aparatem, sprzęt do oświetlenia zapewniamy na miejscu.",
        "Ostatnie wolne miejsca na warsztaty z pierwszej pomocy! Szkolenie poprowadzą ratownicy medyczni w sobotę 5 maja od 10:00 do 14:00. Każdy uczestnik otrzyma zaświadczenie. Zapisz się przez formularz na https://przystan.org.pl/pierwsza-pomoc.",
        "W lutym ruszają warsztaty szycia i naprawy ubrań. Maszyny do szycia udostępnia nam pracownia krawiecka z ul. Polnej 3. Spotkania odbywają się we wtorki o 18:00 i trwają dwie godziny.",
        "Zajęcia z robotyki dla dzieci w wieku 8–12 lat odbywają się w poniedziałki o 15:00. Dzieci budują i programują proste roboty z klocków. Prosimy o zapisy mailowo na adres robotyka@biblioteka-mokotow.waw.pl.",
        "Warsztaty rękodzieła dla mam z małymi dziećmi odbywają się w czytelni w każdy czwartek o 10:00. W tym czasie maluchami zajmują się nasze wolontariuszki. Materiały są bezpłatne.",
    ],
    "kursy-jezykowe": [
        "Nowy kurs języka polskiego dla dorosłych zaczyna się 7 października. Zajęcia odbywają się dwa razy w tygodniu, w poniedziałki i środy o 18:00. Kurs jest bezpłatny dla osób z Ukrainy.",
        "Przed zapisem na kurs polskiego zapraszamy na krótką rozmowę, która pomoże dobrać odpowiednią grupę. Rozmowy odbywają się w piątki od 12:00 do 16:00 w pokoju 105. Nie trzeba przynosić żadnych dokumentów.",
        "Grupa konwersacyjna po angielsku spotyka się w każdą sobotę o 10:30. Rozmawiamy o codziennych sprawach, filmach i książkach. Poziom średnio zaawansowany, zapisy nie są potrzebne.",
        "Uruchamiamy kurs polskiego dla dzieci i młodzieży w wieku 10–16 lat. Lekcje odbywają się po szkole, we wtorki i czwartki o 15:30. Materiały i zeszyty zapewnia fundacja.",
        "Wolontariusze pomagają w odrabianiu lekcji z języka polskiego i matematyki. Dyżury odbywają się od poniedziałku do czwartku w godz. 14:00–17:00. Dzieci mogą przychodzić bez zapisów.",
        "Do egzaminu certyfikatowego z języka polskiego na poziomie B1 przygotowujemy w małych grupach. Kurs trwa 12 tygodni i kończy się próbnym egzaminem. Więcej informacji udzielamy pod numerem 22 845 11 20.",
        "Zapraszamy do klubu czytelniczego dla osób uczących się polskiego. Co miesiąc czytamy jedno krótkie opowiadanie i rozmawiamy o nim przy herbacie. Najbliższe spotkanie odbędzie się 18 listopada o 17:00.",
        "Kurs polskiego online dla pracujących odbywa się wieczorem, o 20:00. Link do zajęć wysyłamy po zapisie. Formularz zgłoszeniowy znajduje się na stronie https://przystan.org.pl/kursy/online.",
        "Biblioteka ma nowe podręczniki do nauki polskiego jako języka obcego. Można je wypożyczyć na 30 dni z możliwością przedłużenia. Do książek dołączone są nagrania do pobrania.",
        "Lektorka z Charkowa prowadzi zajęcia z języka ukraińskiego dla polskich wolontariuszy. Spotkania odbywają się w soboty o 9:00 w sali nr 2. Uczymy się zwrotów przydatnych w urzędzie, w przychodni i w szkole.",
    ],
    "zbiorki": [
        "Trwa zbiórka darów dla rodzin z Ukrainy. Potrzebujemy przede wszystkim żywności o długim terminie ważności, środków czystości i artykułów higienicznych. Dary przyjmujemy w holu biblioteki od 10:00 do 18:00.",
        "Prosimy nie przynosić ubrań, bo nasz magazyn jest już pełny. Bardzo potrzebne są natomiast pampersy w rozmiarach 4 i 5 oraz mleko modyfikowane. Dziękujemy wszystkim darczyńcom za ogromne wsparcie!",
        "Zbieramy przybory szkolne dla dzieci, które we wrześniu zaczynają naukę w polskich szkołach. Przydadzą się plecaki, zeszyty, kredki i piórniki. Zbiórka potrwa do 31 sierpnia.",
        "W sobotę 16 grudnia organizujemy świąteczny kiermasz charytatywny. Będzie można kupić ozdoby choinkowe, pierniki i kartki wykonane przez dzieci. Cały dochód przeznaczymy na paczki dla samotnych seniorów.",
        "Wpłaty na rzecz fundacji można przekazywać na konto nr 12 1020 1026 0000 0402 0567 8901. W tytule przelewu prosimy wpisać „Pomoc dla rodzin”. Każda złotówka ma znaczenie.",
        "Przyjmujemy sprawne laptopy i tablety, które po przygotowaniu przekażemy uczniom. Przed oddaniem sprzętu prosimy usunąć swoje dane. Szczegóły podaje koordynator zbiórki pod numerem 512 300 400.",
        "Zbiórka krwi odbędzie się w niedzielę 23 lutego od 9:00 do 14:00 przed budynkiem fundacji. Ambulans przyjedzie z regionalnego centrum krwiodawstwa. Prosimy zabrać dowód osobisty i zjeść lekkie śniadanie.",
        "Dziękujemy! W czasie ostatniej zbiórki zebraliśmy 1250 kg żywności i 300 paczek z chemią gospodarczą. Dary trafiły do 85 rodzin z naszej dzielnicy.",
        "Szukamy kołder, poduszek i pościeli dla rodzin, które właśnie wprowadzają się do nowych mieszkań. Rzeczy muszą być czyste i w dobrym stanie. Odbierzemy je od Ciebie, wystarczy zadzwonić pod numer 601 555 010.",
        "Zbiórka książek dla dzieci w języku ukraińskim trwa do końca miesiąca. Książki można zostawić w specjalnym pudle przy wypożyczalni. Po zakończeniu zbiórki przekażemy je do świetlic szkolnych.",
    ],
    "wolontariat": [
        "Szukamy wolontariuszy do pomocy w punkcie informacyjnym. Wystarczą dwie godziny w tygodniu i znajomość języka polskiego oraz ukraińskiego. Zgłoszenia przyjmujemy pod adresem wolontariat@fundacja-przystan.org.",
        "Spotkanie informacyjne dla nowych wolontariuszy odbędzie się we wtorek 4 czerwca o 18:00. Opowiemy o naszych działaniach i o tym, jak można się zaangażować. Spotkanie potrwa około godziny.",
        "Potrzebujemy kierowców z własnym samochodem, którzy pomogą przewozić dary z magazynu do punktów wydawania. Zwracamy koszty paliwa. Jeśli możesz pomóc, zadzwoń do Marty pod numer 698 432 111.",
        "Wolontariusze, którzy chcą prowadzić zajęcia z dziećmi, muszą przedstawić zaświadczenie o niekaralności. Pomożemy je uzyskać bezpłatnie. Formularz znajdziesz na stronie https://przystan.org.pl/wolontariat/dokumenty.",
        "Dziękujemy wszystkim wolontariuszom za pomoc podczas festynu rodzinnego. Odwiedziło nas ponad 600 osób. Zdjęcia z wydarzenia znajdziecie na naszym profilu.",
        "Szkolenie dla tłumaczy-wolontariuszy odbędzie się 9 listopada od 10:00 do 16:00. Omówimy zasady tłumaczenia w urzędzie i w szpitalu. Zapewniamy obiad i materiały szkoleniowe.",
        "Poszukujemy osób, które raz w tygodniu poczytają dzieciom bajki po polsku lub po ukraińsku. Głośne czytanie odbywa się w czwartki o 17:00 w kąciku dziecięcym. Nie potrzebujesz żadnego doświadczenia, wystarczą chęci.",
        "Od kwietnia prowadzimy dyżury wolontariuszy w magazynie darów. Dyżur trwa trzy godziny, od 9:00 do 12:00 lub od 15:00 do 18:00. Grafik dyżurów uzupełniamy co miesiąc.",
        "Koordynatorka wolontariatu, pani Olena Shevchenko, jest dostępna od poniedziałku do piątku w godz. 10:00–14:00. Można ją zastać w pokoju 12 albo zadzwonić pod numer +48 22 614 27 95.",
        "Wolontariusze pracujący z dziećmi są ubezpieczeni przez fundację. Przed pierwszym dyżurem podpisujemy porozumienie o współpracy. Na koniec roku każdy otrzymuje zaświadczenie o wolontariacie.",
    ],
    "pomoc": [
        "Bezpłatne porady prawne dla cudzoziemców odbywają się w każdą środę od 16:00 do 19:00. Prawnik pomaga w sprawach pobytu, pracy i świadczeń. Prosimy o wcześniejszą rejestrację pod numerem 22 614 27 91.",
        "Psycholożka mówiąca po ukraińsku przyjmuje w poniedziałki i piątki od 9:00 do 13:00. Konsultacje są bezpłatne i poufne. Zapisy prowadzi recepcja fundacji.",
        "Pomagamy w wypełnianiu wniosków o numer PESEL, świadczenia rodzinne i zasiłki. Dyżur doradcy odbywa się we wtorki od 10:00 do 15:00. Prosimy zabrać ze sobą paszport i inne posiadane dokumenty.",
        "W razie nagłej potrzeby dzwoń na całodobową infolinię pod numer 800 120 226. Rozmowa jest bezpłatna. Konsultanci mówią po polsku, ukraińsku i angielsku.",
        "Punkt wydawania żywności działa w środy i soboty od 11:00 do 14:00. Paczki otrzymują rodziny zarejestrowane w fundacji. Rejestracja odbywa się na miejscu, potrzebny jest dokument tożsamości.",
        "Doradca zawodowy pomaga w szukaniu pracy i w przygotowaniu dokumentów. Spotkania odbywają się w czwartki od 12:00 do 17:00 w pokoju 108. Wcześniej prosimy o zapis przez stronę https://przystan.org.pl/praca.",
        "Lekarz pediatra przyjmuje dzieci bez skierowania w każdy wtorek od 8:00 do 12:00. Wizyty odbywają się w przychodni przy ul. Wiejskiej 17. Prosimy zabrać książeczkę zdrowia dziecka, jeśli ją posiadasz.",
        "Pomagamy znaleźć mieszkanie i sprawdzić umowę najmu przed podpisaniem. Doradca mieszkaniowy dyżuruje w piątki od 10:00 do 14:00. Spotkanie można umówić telefonicznie pod numerem 519 880 770.",
        "Grupa wsparcia dla matek samotnie wychowujących dzieci spotyka się co dwa tygodnie w sobotę o 12:00. W tym czasie dziećmi opiekują się animatorzy. Spotkania prowadzi psycholożka, pani Iryna Bondarenko.",
        "Jeśli potrzebujesz tłumaczenia dokumentów, skontaktuj się z nami mailowo pod adresem tlumaczenia@fundacja-przystan.org. Tłumaczymy akty urodzenia, świadectwa szkolne i zaświadczenia lekarskie. Czas oczekiwania wynosi około 7 dni.",
    ],
}

PARAGRAPHS: list[str] = [p for paragraphs in DOCUMENTS.values() for p in paragraphs]

assert len(PARAGRAPHS) == 60, len(PARAGRAPHS)


def document_text(paragraphs: list[str]) -> str:
    """A plain-text announcement: paragraphs separated by blank lines."""
    return "\n\n".join(paragraphs) + "\n"


# --------------------------------------------------------------------------- the acceptance corpus

def shared_bench_dir() -> Path | None:
    """``../shared/bench`` next to the checkout (or ``$OUTREACH_SHARED_BENCH``): the model builder
    ``make_argos_model.py`` and ``corpus_pl.txt`` (62 paragraphs, 189 sentences)."""
    import os

    here = Path(__file__).resolve().parent.parent
    candidates = [os.environ.get("OUTREACH_SHARED_BENCH")] + [str(p / "shared" / "bench") for p in here.parents]
    for candidate in candidates:
        if candidate and (Path(candidate) / "make_argos_model.py").is_file():
            return Path(candidate)
    return None


def require_shared_bench(hint: str = "") -> Path:
    """:func:`shared_bench_dir`, or exit saying how to point at it (``hint``: what else the caller offers)."""
    found = shared_bench_dir()
    if found is None:
        raise SystemExit("no ../shared/bench/make_argos_model.py: set OUTREACH_SHARED_BENCH" + hint)
    return found


def acceptance_documents() -> dict[str, list[str]]:
    """``corpus_pl.txt`` of the shared bench folder cut into 6 documents (11 paragraphs each, the last 7)."""
    folder = shared_bench_dir()
    if folder is None or not (folder / "corpus_pl.txt").is_file():
        raise FileNotFoundError("no ../shared/bench/corpus_pl.txt; set OUTREACH_SHARED_BENCH")
    text = (folder / "corpus_pl.txt").read_text(encoding="utf-8")
    paragraphs = [" ".join(block.split()) for block in text.split("\n\n") if block.strip()]
    return {f"ogloszenia-{i // 11 + 1}": paragraphs[i: i + 11] for i in range(0, len(paragraphs), 11)}


# --------------------------------------------------------------------------- realistic repetition

_VENUES = [
    ("Biblioteka Główna", "ul. Długa 12", "od poniedziałku do piątku w godz. 9:00–19:00, w soboty w godz. 10:00–15:00"),
    ("Filia nr 3", "ul. Słoneczna 8", "we wtorki i czwartki w godz. 12:00–18:00"),
    ("Dom Kultury „Świt”", "ul. Ogrodowa 2", "od wtorku do niedzieli w godz. 11:00–20:00"),
    ("Fundacja „Przystań”", "al. Niepodległości 221", "od poniedziałku do piątku w godz. 10:00–16:00"),
]
_EVENTS = [
    "warsztaty plastyczne dla dzieci", "spotkanie autorskie", "kurs języka polskiego dla dorosłych",
    "wieczór gier planszowych", "konsultacje z prawnikiem", "klub książki", "warsztaty komputerowe dla seniorów",
    "koncert kolęd", "zbiórkę żywności", "spotkanie dla nowych wolontariuszy", "pokaz filmu", "kiermasz książek",
]
_CLOSINGS = [
    "Wstęp wolny.", "Wstęp wolny, liczba miejsc ograniczona.", "Zapisy w punkcie informacyjnym.",
    "Serdecznie zapraszamy!", "Prosimy o wcześniejsze zapisy pod numerem 22 614 27 90.",
]
_MONTH = ["stycznia", "lutego", "marca"][1]


def month_documents(days: int = 30, seed: int = 3) -> dict[str, list[str]]:
    """A month of announcements, one document a day: each day 2–4 events at one of four venues.

    What recurs is what recurs in real announcement feeds: the venue's address and opening
    hours sentence, closings such as "Wstęp wolny.", the standard contact sentence; what
    changes is the event, its date and time.
    """
    import random

    rnd = random.Random(seed)
    documents: dict[str, list[str]] = {}
    for day in range(1, days + 1):
        paragraphs = []
        for _ in range(rnd.randint(2, 4)):
            venue, address, hours = rnd.choice(_VENUES)
            event = rnd.choice(_EVENTS)
            hour = rnd.choice(["10:00", "11:30", "16:00", "17:30", "18:00"])
            paragraphs.append(
                f"{venue} zaprasza na {event} w dniu {day} {_MONTH} o godz. {hour}. "
                f"Spotkanie odbędzie się w siedzibie przy {address}. "
                f"{venue} jest czynna {hours}. {rnd.choice(_CLOSINGS)}")
        paragraphs.append(rnd.choice(_CLOSINGS))
        documents[f"dzien-{day:02d}"] = paragraphs
    return documents
