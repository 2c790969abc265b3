"""What each screen shows, built from the session's state; every action goes to the core.

Screens are rebuilt whenever the session changes, so nothing a citizen typed survives a
reset: the only copy of typed text lives in the fields of the screen being shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk_terminal.core.attract import TOUCH_TO_START, languages_shown
from kiosk_terminal.core.lookup import CollectJourney, CollectStep, StatusJourney, StatusStep
from kiosk_terminal.core.model import (
    CardKeys,
    DocumentKind,
    IdentifyMethod,
    Lang,
    NameQuery,
    Parents,
    Relation,
    RequestState,
    fee_for,
)
from kiosk_terminal.core.procedures import GuideJourney
from kiosk_terminal.core.request import RequestJourney, RequestStep
from kiosk_terminal.core.schedule import format_date, local, pickup_date
from kiosk_terminal.core.session import KioskSession, Screen
from kiosk_terminal.i18n import Translator
from kiosk_terminal.ui.forms import clean_name, parse_date, parse_reference
from kiosk_terminal.ui.messages import card_failure_text
from kiosk_terminal.ui.theme import FONT_NAME, Theme
from kiosk_terminal.ui.widgets.controls import KioskButton, KioskField
from kiosk_terminal.ui.widgets.keyboard import OnScreenKeyboard
from kiosk_terminal.ui.widgets.rtl_label import RtlLabel

if TYPE_CHECKING:
    from kiosk_terminal.ui.app import KioskScreen

R = RequestStep
Action = Callable[[], None]

LANGUAGE_NAMES = {Lang.AR: "العربية", Lang.FR: "Français", Lang.EN: "English", Lang.ZGH: "ⵜⴰⵎⴰⵣⵉⵖⵜ"}


@dataclass(frozen=True, slots=True)
class _SlideParts:
    """The attract slide's widgets, kept so that a slide change rewrites them in place."""

    box: BoxLayout
    symbol: RtlLabel
    notice: RtlLabel
    lines: tuple[tuple[Lang, RtlLabel], ...]  # one per language shown
    dots: RtlLabel


class Renderer:
    """Builds one screen's header, body and footer in the session's language and theme."""

    def __init__(
        self,
        session: KioskSession,
        screen: KioskScreen,
        submit: Action,
        form: dict[str, str],
    ) -> None:
        self.session = session
        self.screen = screen
        self.submit = submit  # runs the confirmed request off the UI thread
        self.form = form  # typed values, kept only while the same step is on screen
        self.lang = session.language
        self.t = Translator(self.lang.value)
        self.rtl = self.lang.rtl
        self.theme = Theme.choose(session.large_text, session.high_contrast)
        self.fields: dict[str, KioskField] = {}
        self.prompt = ""  # what spoken guidance says for this screen
        self.colon = " : " if self.lang is Lang.FR else ": "  # French spaces its colons
        self.error = ""
        self.slide: Widget | None = None  # the attract loop's slide, faded in by the app
        self._slide_parts: _SlideParts | None = None  # its widgets, rewritten at each slide
        self._attract_key = self.attract_key()

    # --- building blocks ----------------------------------------------------------------

    def label(
        self,
        text: str,
        size: str = "body",
        bold: bool = False,
        align: str = "start",
        color: tuple[float, float, float, float] | None = None,
        height: int | None = None,
        name: str = "",
    ) -> RtlLabel:
        sizes = self.theme.sizes
        label = RtlLabel(
            source_text=text,
            rtl=self.rtl,
            align=align,
            font_name=FONT_NAME,
            font_size=getattr(sizes, size),
            bold=bold,
            color=color or self.theme.palette.text,
            auto_height=height is None,
            size_hint_y=None,
            padding=(8, 4),
        )
        if height is not None:
            label.height = height
        label.name = name
        return label

    def style(self, button: KioskButton, kind: str) -> None:
        p, s = self.theme.palette, self.theme.sizes
        colors = {
            "primary": (p.primary, p.on_primary),
            "secondary": (p.secondary, p.on_secondary),
            "key": (p.field, p.text),
            "danger": (p.danger, p.on_primary),
            "header": (p.header, p.on_header),
        }
        bg, fg = colors[kind]
        button.bg_color = bg
        button.color = fg
        button.font_name = FONT_NAME
        button.font_size = s.button
        button.rtl = self.rtl

    def button(
        self, text: str, action: Action, name: str, kind: str = "primary", height: int = 0
    ) -> KioskButton:
        button = KioskButton(
            source_text=text, name=name, size_hint_y=None,
            height=height or self.theme.sizes.button_height,
        )  # fmt: skip
        self.style(button, kind)
        button.bind(on_release=lambda *_: action())
        return button

    def row(self, *widgets: Widget, height: int | None = None) -> BoxLayout:
        """A horizontal row, mirrored in right-to-left languages."""
        box = BoxLayout(spacing=12, size_hint_y=None)
        box.height = height or max((w.height for w in widgets), default=0)
        for widget in reversed(widgets) if self.rtl else widgets:
            box.add_widget(widget)
        return box

    def grid(self, buttons: list[KioskButton], cols: int = 2) -> GridLayout:
        grid = GridLayout(
            cols=cols, spacing=14, size_hint_y=None,
            orientation="rl-tb" if self.rtl else "lr-tb",
        )  # fmt: skip
        rows = (len(buttons) + cols - 1) // cols
        grid.height = rows * (self.theme.sizes.button_height + 14)
        for button in buttons:
            grid.add_widget(button)
        return grid

    def field(self, name: str, caption: str) -> KioskField:
        p = self.theme.palette
        field = KioskField(
            separator=self.colon,
            caption=caption, name=f"field:{name}", value=self.form.get(name, ""), rtl=self.rtl,
            font_name=FONT_NAME, font_size=self.theme.sizes.body, color=p.text,
            field_color=p.field, active_color=p.field_active, size_hint_y=None,
            height=self.theme.sizes.key_height + 8, padding=(12, 4),
        )  # fmt: skip
        field.bind(value=lambda _w, v: self.form.__setitem__(name, v))
        field.bind(on_release=lambda *_: self.activate(name))
        self.fields[name] = field
        if len(self.fields) == 1 or self.form.get("_active") == name:
            self.activate(name)
        return field

    def activate(self, name: str) -> None:
        self.form["_active"] = name
        for key, field in self.fields.items():
            field.active = key == name

    def _active_field(self) -> KioskField | None:
        return self.fields.get(self.form.get("_active", ""))

    def keyboard(self, layouts: tuple[str, ...]) -> OnScreenKeyboard:
        def typed(text: str) -> None:
            self.session.activity()
            field = self._active_field()
            if field is not None:
                field.type(text)

        def backspace() -> None:
            self.session.activity()
            field = self._active_field()
            if field is not None:
                field.backspace()

        return OnScreenKeyboard(typed, backspace, layouts, self.style, self.theme.sizes.key_height)

    def value(self, name: str) -> str:
        return self.form.get(name, "").strip()

    def fail(self, message: str) -> None:
        """Show a form error on the same screen without losing what was typed."""
        self.form["_error"] = message
        self.session.changed()

    # --- frame --------------------------------------------------------------------------

    def frame(self, title: str, back: Action | None = None, home: bool = True) -> None:
        screen = self.screen
        p = self.theme.palette
        screen.bg_color = p.background
        header = screen.ids.header
        header.clear_widgets()
        # A long title (a procedure's name) takes a smaller size rather than a second line.
        size = "title" if len(title) <= 34 else "button"
        title_label = self.label(title, size, bold=True, height=self.theme.sizes.button_height)
        title_label.color = p.text
        tools: list[Widget] = []
        if self.session.screen not in (Screen.ATTRACT, Screen.LANGUAGE):
            tools = [
                self.button(
                    "A+",
                    self.session.toggle_large_text,
                    "large_text",
                    "primary" if self.session.large_text else "secondary",
                ),
                self.button(
                    "◐",
                    self.session.toggle_high_contrast,
                    "contrast",
                    "primary" if self.session.high_contrast else "secondary",
                ),
            ]
            for tool in tools:
                tool.size_hint_x = None
                tool.width = self.theme.sizes.button_height
        header.height = self.theme.sizes.button_height
        for widget in reversed([title_label, *tools]) if self.rtl else [title_label, *tools]:
            header.add_widget(widget)
        footer = screen.ids.footer
        footer.clear_widgets()
        footer.height = self.theme.sizes.button_height
        buttons: list[Widget] = []
        if back is not None:
            buttons.append(self.button(self.t("Back"), back, "back", "secondary"))
        if home:
            buttons.append(self.button(self.t("Home"), self.session.home, "home", "secondary"))
        buttons.append(Widget())
        if self.session.screen not in (Screen.ATTRACT, Screen.LANGUAGE):
            buttons.append(
                self.button(self.t("Language"), self.session.wake, "language", "secondary")
            )
        for widget in reversed(buttons) if self.rtl else buttons:
            footer.add_widget(widget)
        body = screen.ids.body
        body.clear_widgets()
        error = self.form.pop("_error", "")
        if error:
            body.add_widget(self.label(error, bold=True, color=p.danger, name="error"))

    def add(self, *widgets: Widget) -> None:
        for widget in widgets:
            self.screen.ids.body.add_widget(widget)

    def fill(self) -> None:
        self.add(Widget())

    def say(self, text: str, size: str = "body", bold: bool = False) -> RtlLabel:
        self.prompt = f"{self.prompt} {text}".strip()
        label = self.label(text, size, bold=bold, name="prompt")
        self.add(label)
        return label

    # --- screens ------------------------------------------------------------------------

    def render(self) -> None:
        getattr(self, f"_screen_{self.session.screen.value}")()

    def _screen_attract(self) -> None:
        """The attract loop's frame and its slide's widgets; :meth:`show_slide` fills them.

        The slide clock changes the slide every few seconds on an idle kiosk: the widgets are
        built once here and rewritten in place, so a slide change leaves nothing behind (new
        widgets each time were cyclic garbage, textures included, until a full collection).
        """
        self.frame("سجل  Sijill", home=False)
        self.screen.ids.footer.height = 0  # no buttons here: the slide takes the room
        languages = languages_shown(self.session.settings.languages)
        box = BoxLayout(orientation="vertical", spacing=10, size_hint_y=None)
        box.bind(minimum_height=box.setter("height"))
        symbol = self.label("", "code", bold=True, align="center", name="symbol")
        symbol.font_size = round(self.theme.sizes.code * 1.5)
        symbol.color = self.theme.palette.primary
        notice = self.label("", "title", bold=True, align="center", name="notice")
        notice.color = self.theme.palette.notice
        size = "title" if len(languages) <= 3 else "button"  # four languages must fit
        lines: list[tuple[Lang, RtlLabel]] = []
        for lang in languages:
            line = self.label("", size, bold=True, align="center", name=f"slide:{lang.value}")
            line.rtl = lang.rtl
            lines.append((lang, line))
        dots = self.label("", "body", align="center", name="dots")
        self._slide_parts = _SlideParts(box, symbol, notice, tuple(lines), dots)
        self.slide = box
        self.add(Widget(size_hint_y=0.25), box, Widget(size_hint_y=0.35))
        self.prompt = "المس الشاشة للبدء"
        for lang in languages:
            hint = self.label(Translator(lang.value)(TOUCH_TO_START), "body", align="center",
                              name=f"touch:{lang.value}")  # fmt: skip
            hint.rtl = lang.rtl
            self.add(hint)
        self.add(self.button("▶", self.session.wake, "start"))
        self.show_slide()

    def attract_key(self) -> tuple[object, ...]:
        """What the attract screen's widgets depend on, apart from the slide shown."""
        s = self.session
        return (s.screen, s.language, s.large_text, s.high_contrast, s.settings.languages)

    def shows_attract(self, screen: KioskScreen) -> bool:
        """True when this renderer's attract widgets can show the session's current slide."""
        return (
            self._slide_parts is not None
            and screen is self.screen
            and self.session.screen is Screen.ATTRACT
            and self.attract_key() == self._attract_key
        )

    def show_slide(self) -> None:
        """Write the loop's current slide into the widgets built by :meth:`_screen_attract`."""
        parts = self._slide_parts
        if parts is None:
            return
        loop = self.session.attract
        slide = loop.current
        parts.box.name = f"slide:{slide.key}"
        parts.symbol.source_text = slide.symbol
        shown: list[Widget] = [parts.symbol]
        if slide.notice is not None:
            parts.notice.source_text = slide.notice
            shown.append(parts.notice)
        else:
            for lang, line in parts.lines:
                line.source_text = Translator(lang.value)(slide.message)
                shown.append(line)
        current, count = loop.position
        parts.dots.source_text = " ".join("●" if i == current else "○" for i in range(count))
        shown.append(parts.dots)
        # Kivy lists children last-added first; change the box only when the kind of slide
        # (notice or message) changes. Labels taken out stay with this renderer for reuse.
        if parts.box.children[::-1] != shown:
            parts.box.clear_widgets()
            for widget in shown:
                parts.box.add_widget(widget)

    def _screen_language(self) -> None:
        self.frame("اختر اللغة  ·  Choisissez la langue", home=False)
        buttons = [
            self.button(LANGUAGE_NAMES[lang], partial(self.session.choose_language, lang),
                        f"lang:{lang.value}")
            for lang in self.session.settings.languages
        ]  # fmt: skip
        self.prompt = "اختر اللغة. Choisissez la langue."
        # The title says it in Arabic and French; the other offered languages say it here.
        for lang in self.session.settings.languages:
            if lang not in (Lang.AR, Lang.FR):
                t = Translator(lang.value)
                self.add(self.label(t("Choose your language"), align="center",
                                    name=f"choose:{lang.value}"))  # fmt: skip
        self.add(Widget(size_hint_y=0.2))
        for button in buttons:
            self.add(button)
        self.fill()

    def _screen_home(self) -> None:
        t, s = self.t, self.session
        self.frame(t("What would you like to do?"), home=False)
        self.say(t("Touch a button."))
        self.add(
            self.grid(
                [
                    self.button(t("Request a document"), s.start_request, "request"),
                    self.button(t("Collect a request"), s.start_collect, "collect"),
                    self.button(t("Check a request's status"), s.start_status, "status"),
                    self.button(t("Procedures guide"), s.start_guide, "guide"),
                ]
            )
        )
        if s.message_of_the_day:
            self.add(self.label(s.message_of_the_day, color=self.theme.palette.notice))
        self.fill()

    def _screen_out_of_service(self) -> None:
        t, s = self.t, self.session
        self.frame(t("Out of service"), home=False)
        self.say(
            t("This kiosk cannot take requests at the moment. Please go to the counter."),
            "title",
            bold=True,
        )
        if s.message_of_the_day:
            self.add(self.label(s.message_of_the_day, color=self.theme.palette.notice))
        self.add(
            self.grid(
                [
                    self.button(t("Procedures guide"), s.start_guide, "guide", "secondary"),
                    self.button(t("Check a request's status"), s.start_status, "status",
                                "secondary"),
                ]
            )
        )  # fmt: skip
        self.fill()

    # --- procedures guide -----------------------------------------------------------------

    def _screen_guide(self) -> None:
        journey = self.session.journey
        if not isinstance(journey, GuideJourney):
            return
        t = self.t

        def back() -> None:
            if not journey.back():
                self.session.home()
                return
            self.session.changed()

        proc = journey.current
        if proc is None:
            self.frame(t("Procedures guide"), back=self.session.home)
            self.say(t("Choose a procedure to see what to bring, where to go, fees and delays."))

            def opener(pid: str) -> Action:
                def open_it() -> None:
                    journey.open(pid)
                    self.session.activity()
                    self.session.changed()

                return open_it

            buttons = [self.button(p.title, opener(p.id), f"topic:{p.id}", "secondary")
                       for p in journey.topics()]  # fmt: skip
            self.add(self.grid(buttons))
            self.fill()
            return
        self.frame(proc.title, back=back)
        content = BoxLayout(orientation="vertical", spacing=8, size_hint_y=None)
        content.bind(minimum_height=content.setter("height"))
        p = self.theme.palette
        content.add_widget(self.label(proc.summary))
        self.prompt = proc.summary
        sections = (
            (t("What to bring"), [f"• {item}" for item in proc.bring]),
            (t("Where"), [proc.where]),
            (t("Fees"), [proc.fees]),
            (t("Delay"), [proc.delay]),
            (t("Good to know"), [f"• {note}" for note in proc.notes]),
        )
        for heading, lines in sections:
            if not lines:
                continue
            content.add_widget(self.label(heading, bold=True, color=p.primary))
            for line in lines:
                content.add_widget(self.label(line))
        # The scroll bar sits on the side where lines end, not over their first words.
        scroll = ScrollView(
            do_scroll_x=False, bar_width=12, bar_pos_y="left" if self.rtl else "right"
        )
        scroll.add_widget(content)
        self.add(scroll)
        scroll.bind(width=lambda _w, width: setattr(content, "width", width))

    # --- request a document ---------------------------------------------------------------

    def _screen_request(self) -> None:
        journey = self.session.journey
        if not isinstance(journey, RequestJourney):
            return
        getattr(self, f"_request_{journey.step.value}")(journey)

    def _back(self, journey: RequestJourney) -> Action:
        def back() -> None:
            self.session.activity()
            journey.back()
            self.session.changed()

        return back

    def _act(self, fn: Callable[[], object]) -> Action:
        def run() -> None:
            self.session.activity()
            fn()
            self.session.changed()

        return run

    def _request_method(self, j: RequestJourney) -> None:
        t = self.t
        self.frame(t("Request a document"), back=self.session.home)
        self.say(t("How shall we find the act?"), "title", bold=True)
        for method, text in (
            (IdentifyMethod.CARD, t("With my national identity card")),
            (IdentifyMethod.REFERENCE, t("With the act's reference (office, year, number)")),
            (IdentifyMethod.NAME, t("With the name, birth date and parents' names")),
        ):
            # A card already in the reader goes straight to its keys.
            present = self.session.card_present and method is IdentifyMethod.CARD
            self.add(
                self.button(text, self._act(partial(j.choose_method, method, present)),
                            f"method:{method.value}")
            )  # fmt: skip
        self.fill()

    def _request_card_insert(self, j: RequestJourney) -> None:
        t = self.t
        self.frame(t("Identity card"), back=self._back(j))
        self.say(t("Insert your identity card into the reader below the screen."), "title")
        self.fill()

    def _request_card_keys(self, j: RequestJourney) -> None:
        t = self.t
        self.frame(t("Identity card"), back=self._back(j))
        self.say(t("To open the card's chip, type what is printed on the card."))
        self.add(
            self.field("doc", t("Card number")),
            self.row(
                self.field("birth", t("Birth date (DD/MM/YYYY)")),
                self.field("expiry", t("Expiry date (DD/MM/YYYY)")),
            ),
        )

        def next_step() -> None:
            birth, expiry = parse_date(self.value("birth")), parse_date(self.value("expiry"))
            number = self.value("doc").replace(" ", "").upper()
            if birth is None or expiry is None or len(number) < 5:
                self.fail(t("Please check the card number and the dates."))
                return
            # Reading the chip and finding the act take seconds: off the UI thread.
            self.session.look_up(partial(j.card_keys, CardKeys(number, birth, expiry)))

        self.add(
            Widget(), self.keyboard(("latin", "digits")), self.button(t("Next"), next_step, "next")
        )

    def _request_reference(self, j: RequestJourney) -> None:
        t = self.t
        self.frame(t("Act reference"), back=self._back(j))
        self.say(t("Type the office code, the year and the act number, then the birth date."))
        self.form.setdefault("office", self.session.deps.request.office.code)
        self.form.setdefault("_active", "year")
        self.add(
            self.row(
                self.field("office", t("Office")),
                self.field("year", t("Year")),
                self.field("number", t("Act number")),
            ),
            self.field("birth", t("Birth date (DD/MM/YYYY)")),
        )

        def next_step() -> None:
            ref = parse_reference(self.value("office"), self.value("year"), self.value("number"))
            born = parse_date(self.value("birth"))
            if ref is None or born is None:
                self.fail(t("Please check the year, the act number and the birth date."))
                return
            self.session.look_up(partial(j.reference, ref, born))

        self.add(
            Widget(), self.keyboard(("digits", "latin")), self.button(t("Next"), next_step, "next")
        )

    def _request_requester(self, j: RequestJourney) -> None:
        t = self.t
        self.frame(t("Your name"), back=self._back(j))
        self.say(t("Type your full name, as on your identity card. The counter will check it."))
        self.add(self.field("requester", t("Full name")))

        def next_step() -> None:
            name = clean_name(self.value("requester"))
            if name is None:
                self.fail(t("Please type your full name."))
                return
            self.session.activity()
            j.requester(name)
            self.session.changed()

        self.add(
            Widget(), self.keyboard(self._name_layouts()), self.button(t("Next"), next_step, "next")
        )

    def _name_layouts(self) -> tuple[str, ...]:
        return ("ar", "latin", "digits") if self.rtl else ("latin", "ar", "digits")

    def _request_name(self, j: RequestJourney) -> None:
        t = self.t
        self.frame(t("Name and birth date"), back=self._back(j))
        self.say(t("Type the first name, the family name and the birth date."))
        self.add(
            self.row(self.field("given", t("First name")), self.field("family", t("Family name"))),
            self.field("birth", t("Birth date (DD/MM/YYYY)")),
        )

        def next_step() -> None:
            given, family = clean_name(self.value("given")), clean_name(self.value("family"))
            birth = parse_date(self.value("birth"))
            if given is None or family is None or birth is None:
                self.fail(t("Please type both names and a birth date like 04/03/1990."))
                return
            self.session.look_up(partial(j.name, NameQuery(given, family, birth)))

        self.add(
            Widget(), self.keyboard(self._name_layouts()), self.button(t("Next"), next_step, "next")
        )

    def _request_parents(self, j: RequestJourney) -> None:
        t = self.t
        self.frame(t("Parents' names"), back=self._back(j))
        self.say(t("Several acts match. Type the father's and the mother's first names."))
        self.add(self.row(self.field("father", t("Father")), self.field("mother", t("Mother"))))

        def next_step() -> None:
            father, mother = clean_name(self.value("father")), clean_name(self.value("mother"))
            if father is None or mother is None:
                self.fail(t("Please type both parents' names."))
                return
            self.session.look_up(partial(j.parents, Parents(father, mother)))

        self.add(
            Widget(), self.keyboard(self._name_layouts()), self.button(t("Next"), next_step, "next")
        )

    def _problem(self, j: RequestJourney, title: str, text: str) -> None:
        self.frame(title, back=self._back(j))
        self.say(text, "title", bold=True)
        self.add(self.button(self.t("Try again"), self._back(j), "retry"))
        self.fill()

    def _request_not_found(self, j: RequestJourney) -> None:
        t = self.t
        text = (
            t("Several acts match these details. Please ask at the counter.")
            if j.reason == "ambiguous"
            else t("No act was found with these details. Check them or try another way.")
        )
        self._problem(j, t("Act not found"), text)

    def _request_unavailable(self, j: RequestJourney) -> None:
        t = self.t
        if j.reason == "submit_unavailable":
            text = t(
                "The registry cannot be reached right now and your request was not "
                "registered. Please try again later or go to the counter."
            )
        else:
            text = t(
                "The registry cannot be reached right now, so we cannot search by name or "
                "card. With the act's reference, your request can still be taken."
            )
        self._problem(j, t("Service unavailable"), text)

    def _request_card_failed(self, j: RequestJourney) -> None:
        t = self.t
        self.frame(t("Identity card"), back=self._back(j))
        self.say(card_failure_text(j.reason, t), "title", bold=True)
        self.add(self.button(t("Try again"), self.session.retry_card, "retry"))
        self.add(
            self.button(t("Find the act another way"), self._back(j), "other_way", "secondary")
        )
        self.fill()

    def _request_document(self, j: RequestJourney) -> None:
        t = self.t
        self.frame(t("Choose the document"), back=self._back(j))
        if j.act_label:
            self.add(self.label(f"{t('Act')} {j.act_label}", bold=True, name="act"))
        self.say(t("Which document, and how many copies?"))
        copies = int(self.form.get("copies", "1"))

        def change(delta: int) -> Action:
            def run() -> None:
                self.session.activity()
                self.form["copies"] = str(min(10, max(1, copies + delta)))
                self.session.changed()

            return run

        count = self.label(str(copies), "title", bold=True, align="center",
                           height=self.theme.sizes.button_height, name="copies")  # fmt: skip
        minus = self.button("−", change(-1), "copies:minus", "secondary")
        plus = self.button("+", change(+1), "copies:plus", "secondary")
        self.add(
            self.row(self.label(t("Copies"), height=self.theme.sizes.button_height),
                     minus, count, plus),
            self.label(f"{t('Fee')}{self.colon}{fee_for(copies)} {t('dirhams')}", name="fee"),
        )  # fmt: skip
        for kind, text in (
            (DocumentKind.EXTRACT, t("Extract of the act")),
            (DocumentKind.FULL_COPY, t("Full copy of the act")),
            (DocumentKind.INDIVIDUAL_SHEET, t("Individual civil-status sheet")),
        ):
            self.add(
                self.button(text, self._act(partial(j.choose_document, kind, copies)),
                            f"document:{kind.value}")
            )  # fmt: skip
        self.fill()

    def _request_relation(self, j: RequestJourney) -> None:
        t = self.t
        self.frame(t("Full copy"), back=self._back(j))
        self.say(t("A full copy is given only to the holder and close family. Who are you?"))
        choices = (
            (Relation.SELF, t("The holder of the act")),
            (Relation.PARENT, t("Father or mother")),
            (Relation.CHILD, t("Son or daughter")),
            (Relation.SPOUSE, t("Husband or wife")),
            (Relation.LEGAL_REPRESENTATIVE, t("Guardian or legal representative")),
            (Relation.OTHER, t("Someone else")),
        )
        self.add(
            self.grid([self.button(text, self._act(partial(j.choose_relation, rel)),
                                   f"relation:{rel.value}", "secondary")
                       for rel, text in choices])
        )  # fmt: skip
        self.fill()

    def _request_relation_refused(self, j: RequestJourney) -> None:
        t = self.t
        self.frame(t("Full copy"), back=self._back(j))
        self.say(
            t("The law reserves full copies for the holder and close family. You may ask for an "
              "extract instead."), "title", bold=True)  # fmt: skip
        self.add(
            self.button(t("Ask for an extract"),
                        self._act(lambda: j.choose_document(DocumentKind.EXTRACT, j.copies)),
                        "document:extract")
        )  # fmt: skip
        self.fill()

    def _document_name(self, kind: DocumentKind | None) -> str:
        t = self.t
        return {
            DocumentKind.EXTRACT: t("Extract of the act"),
            DocumentKind.FULL_COPY: t("Full copy of the act"),
            DocumentKind.INDIVIDUAL_SHEET: t("Individual civil-status sheet"),
        }.get(kind or DocumentKind.EXTRACT, "")

    def _request_confirm(self, j: RequestJourney) -> None:
        t = self.t
        self.frame(t("Check and confirm"), back=self._back(j))
        self.say(t("Check your request, then press Confirm."), "title", bold=True)
        when = format_date(
            pickup_date(
                local(self.session.deps.request.now()).date(), j.document or DocumentKind.EXTRACT
            ),
            self.lang,
        )
        lines = [
            f"{t('Act')}{self.colon}{j.act_label}",
            f"{t('Document')}{self.colon}{self._document_name(j.document)}",
            f"{t('Copies')}{self.colon}{j.copies}",
            f"{t('Fee')}{self.colon}{j.fee} {t('dirhams')} ({t('paid at the counter')})",
            f"{t('Collect from')}{self.colon}{when}",
        ]
        if j.offline:
            lines.append(t("The registry is unreachable: your request will be sent later."))
        for line in lines:
            self.add(self.label(line, name="summary"))
        self.add(self.button(t("Confirm"), self.submit, "confirm"))
        self.fill()

    def _request_submitting(self, _j: RequestJourney) -> None:
        self.frame(self.t("Please wait"), home=False)
        self.say(self.t("Your request is being registered and your receipt printed…"), "title")
        self.fill()

    def _request_done(self, j: RequestJourney) -> None:
        t = self.t
        self.frame(t("Thank you"), home=False)
        self.say(t("Take your receipt. Keep it to collect your document."), "title", bold=True)
        if j.accepted is not None:
            code = self.label(str(j.accepted.code), "code", bold=True, align="center",
                              name="code")  # fmt: skip
            code.rtl = False  # a code reads left to right in every language
            self.add(self.label(t("Request code"), align="center"), code)
        if j.receipt is not None:
            when = format_date(j.receipt.pickup_date, self.lang)
            self.add(self.label(f"{t('Collect from')}{self.colon}{when}", align="center"))
        if j.accepted is not None and j.accepted.pending:
            self.add(
                self.label(t("The registry is unreachable: your request will be sent later. "
                             "The code on your receipt is final."),
                           color=self.theme.palette.notice, align="center")
            )  # fmt: skip
        self.add(self.button(t("Done"), self.session.finish, "done"))
        self.fill()

    def _request_rejected(self, j: RequestJourney) -> None:
        t = self.t
        self.frame(t("Request refused"), home=True)
        self.say(t("The registry refused this request. Please ask at the counter."), "title")
        self.fill()

    def _request_print_failed(self, j: RequestJourney) -> None:
        t = self.t
        self.frame(t("Receipt"), home=True)
        text = (
            t("Your request is registered, but the printer stopped. Your receipt will be "
              "printed as soon as the printer is fixed: please tell the staff.")
            if j.reason == "printer_kept"
            else t("Your request is registered, but the receipt could not be printed. "
                   "Please tell the staff.")
        )  # fmt: skip
        self.say(text, "title", bold=True)
        if j.accepted is not None:
            code = self.label(str(j.accepted.code), "code", bold=True, align="center")
            code.rtl = False
            self.add(code)
        self.fill()

    def _screen_collect(self) -> None:
        journey = self.session.journey
        if not isinstance(journey, CollectJourney):
            return
        t = self.t
        self.frame(t("Collect a request"), back=self.session.home)
        again = self.button(t("Scan another"), self._act(journey.again), "again", "secondary")
        step = journey.step
        status = journey.status
        if step is CollectStep.SCAN:
            self.say(t("Hold the QR code of your receipt or portal confirmation under the "
                       "scanner."), "title", bold=True)  # fmt: skip
        elif step is CollectStep.TICKET and status is not None:
            self.say(t("Your document is ready. Take your ticket and go to the counter."),
                     "title", bold=True)  # fmt: skip
            counter = self.label(f"{t('Counter')} {status.counter or '-'}", "code", bold=True,
                                 align="center", name="counter")  # fmt: skip
            self.add(counter)
        elif step is CollectStep.NOT_READY and status is not None:
            self.say(t("Your document is not ready yet."), "title", bold=True)
            self.add(self.label(self._state_text(status.state), name="state"))
            self.add(again)
        elif step is CollectStep.OTHER_OFFICE and status is not None:
            self.say(t("Your document is ready at another office. Please collect it there."),
                     "title", bold=True)  # fmt: skip
            office = self.label(f"{t('Office')}{self.colon}{status.office}", "code", bold=True,
                                align="center", name="office")  # fmt: skip
            self.add(office, again)
        elif step is CollectStep.INVALID:
            self.say(t("This code is not a valid receipt. Please ask at the counter."), "title")
            self.add(again)
        elif step is CollectStep.UNAVAILABLE:
            self.say(t("The registry cannot be reached right now. Please try again later."),
                     "title")  # fmt: skip
            self.add(again)
        else:
            self.say(t("The ticket could not be printed. Please go to the counter."), "title")
        self.fill()

    def _state_text(self, state: RequestState) -> str:
        t = self.t
        return {
            RequestState.SUBMITTED: t("Received: waiting for the officer."),
            RequestState.APPROVED: t("Approved: the document is being prepared."),
            RequestState.REJECTED: t("Refused: please ask at the counter."),
            RequestState.PRINTED: t("Printed: it will be ready shortly."),
            RequestState.READY: t("Ready: you can collect it at the counter."),
            RequestState.COLLECTED: t("Already collected."),
            RequestState.EXPIRED: t("Expired: please make a new request."),
        }[state]

    def _screen_status(self) -> None:
        journey = self.session.journey
        if not isinstance(journey, StatusJourney):
            return
        t = self.t
        self.frame(t("Request status"), back=self.session.home)
        if journey.step is StatusStep.ENTER:
            if journey.reason == "invalid_code":
                self.add(
                    self.label(
                        t("This code is not valid: please check each character."),
                        bold=True,
                        color=self.theme.palette.danger,
                        name="error",
                    )
                )
            self.say(t("Type the request code printed on your receipt, or scan its QR code."))
            code_field = self.field("code", t("Request code"))
            secret_field = self.field("secret", t("Receipt key (if you have it)"))

            def check() -> None:
                self.session.look_up(partial(journey.typed, self.value("code"),
                                             self.value("secret")))  # fmt: skip

            self.add(code_field, secret_field, Widget(), self.keyboard(("digits", "latin")))
            self.add(self.button(t("Check"), check, "check"))
            return
        again = self.button(t("Check another"), self._act(journey.again), "again", "secondary")
        if journey.step is StatusStep.RESULT and journey.status is not None:
            code = self.label(str(journey.status.code), "code", bold=True, align="center")
            code.rtl = False
            self.add(code)
            self.say(self._state_text(journey.status.state), "title", bold=True)
            if journey.status.counter:
                self.add(self.label(f"{t('Counter')} {journey.status.counter}", "title"))
        elif journey.step is StatusStep.NOT_FOUND:
            self.say(t("No request has this code."), "title", bold=True)
        else:
            self.say(t("The registry cannot be reached right now. Please try again later."),
                     "title")  # fmt: skip
        self.add(again)
        self.fill()


def warning_texts(lang: Lang) -> tuple[str, str]:
    t = Translator(lang.value)
    return t("Are you still there?"), t("Continue")
