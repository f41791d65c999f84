"""The journey engine: order, branches, guards and change invalidation come from STEPS."""
from wizard.signup import steps

PASSED = {"captcha": {"passed_at": "2026-11-22T10:00:00"}}
IDENTITY = {"last_name": "Dupont", "first_name": "Jean", "birth_date": "1977-03-06", "identifier": "10203050"}


def names(step_list):
    return [step.name for step in step_list]


def test_subscriber_step_applies_to_beneficiaries_only():
    assert names(steps.active_steps({})) == ["captcha", "identity", "role", "summary", "credentials"]
    beneficiary = {"role": {"role": "beneficiary"}}
    assert names(steps.active_steps(beneficiary)) == ["captcha", "identity", "role", "subscriber", "summary",
                                                      "credentials"]


def test_current_step_is_the_first_unanswered_one():
    assert steps.current_step({}).name == "captcha"
    assert steps.current_step(PASSED).name == "identity"
    answers = {**PASSED, "identity": IDENTITY, "role": {"role": "subscriber"}}
    assert steps.current_step(answers).name == "summary"
    assert steps.current_step({**answers, "summary": {"accepted_at": "x"}}).name == "credentials"
    assert steps.current_step({**answers, "summary": {"accepted_at": "x"}, "credentials": {"account_id": "a"}}) is None


def test_a_later_step_cannot_be_entered_and_a_passed_captcha_is_not_revisited():
    assert not steps.can_enter(steps.BY_NAME["summary"], PASSED)
    assert steps.can_enter(steps.BY_NAME["identity"], PASSED)
    assert not steps.can_enter(steps.BY_NAME["captcha"], PASSED)
    assert not steps.can_enter(steps.BY_NAME["subscriber"], {**PASSED, "identity": IDENTITY,
                                                             "role": {"role": "subscriber"}})


def test_previous_step_skips_the_captcha_and_inactive_steps():
    answers = {**PASSED, "identity": IDENTITY, "role": {"role": "subscriber"}}
    assert steps.previous_step(steps.BY_NAME["identity"], answers) is None
    assert steps.previous_step(steps.BY_NAME["summary"], answers).name == "role"


def test_position_counts_the_steps_that_apply():
    assert steps.position(steps.BY_NAME["role"], PASSED) == (3, 5)
    assert steps.position(steps.BY_NAME["subscriber"], {"role": {"role": "beneficiary"}}) == (4, 6)


def test_changing_an_answer_voids_what_depends_on_it():
    done = {**PASSED, "identity": IDENTITY, "role": {"role": "beneficiary"},
            "subscriber": {"subscriber_last_name": "Dupont"}, "summary": {"accepted_at": "x"}}
    changed = steps.record(done, steps.BY_NAME["identity"], {**IDENTITY, "first_name": "Jeanne"})
    assert "summary" not in changed and changed["subscriber"] == done["subscriber"]
    assert steps.current_step(changed).name == "summary"


def test_becoming_the_subscriber_drops_the_subscriber_answers():
    done = {**PASSED, "identity": IDENTITY, "role": {"role": "beneficiary"},
            "subscriber": {"subscriber_last_name": "Dupont"}, "summary": {"accepted_at": "x"}}
    changed = steps.record(done, steps.BY_NAME["role"], {"role": "subscriber"})
    assert "subscriber" not in changed and "summary" not in changed
    assert steps.current_step(changed).name == "summary"


def test_answering_the_same_again_keeps_everything():
    done = {**PASSED, "identity": IDENTITY, "role": {"role": "subscriber"}, "summary": {"accepted_at": "x"}}
    assert steps.record(done, steps.BY_NAME["identity"], dict(IDENTITY)) == done


def test_once_the_credentials_are_given_no_step_can_be_entered_again():
    """The account was created from the answers: the address is changed from its own page."""
    done = {**PASSED, "identity": IDENTITY, "role": {"role": "subscriber"}, "summary": {"accepted_at": "x"}}
    assert steps.can_enter(steps.BY_NAME["identity"], done)
    assert steps.can_enter(steps.BY_NAME["credentials"], done)
    submitted = {**done, "credentials": {"account_id": "a"}}
    assert not any(steps.can_enter(step, submitted) for step in steps.STEPS)


def test_the_pages_after_the_steps_are_not_step_slugs():
    assert not steps.RESERVED_SLUGS & set(steps.BY_SLUG)
