from __future__ import annotations

from dialogs import texts
from dialogs.commands import PERSONAL_MENU, TEAM_MENU, Command
from storage.domain.answers import normalise


def test_every_command_has_a_danish_word_and_a_description() -> None:
    assert set(texts.COMMAND_WORDS) == set(Command)
    assert set(texts.COMMAND_DESCRIPTIONS) == set(Command)


def test_each_command_value_is_its_danish_word_as_normalise_folds_it() -> None:
    assert {command: normalise(texts.COMMAND_WORDS[command]) for command in Command} == {
        command: command.value for command in Command
    }


def test_the_danish_words_are_the_ones_users_type() -> None:
    assert [texts.COMMAND_WORDS[command] for command in Command] == [
        "hjælp",
        "fortsæt",
        "mine",
        "status",
        "opsæt",
        "tildel",
        "start",
        "påmind",
        "udkast",
        "send",
        "modtaget",
        "historik",
        "ændringer",
        "forslag",
    ]


def test_every_command_is_offered_in_some_menu_and_no_menu_repeats_one() -> None:
    assert set(PERSONAL_MENU) | set(TEAM_MENU) == set(Command)
    assert len(set(PERSONAL_MENU)) == len(PERSONAL_MENU)
    assert len(set(TEAM_MENU)) == len(TEAM_MENU)


def test_the_systemejer_finds_help_resume_and_own_areas_in_personal_chat() -> None:
    assert PERSONAL_MENU[:3] == (Command.HJAELP, Command.FORTSAET, Command.MINE)
