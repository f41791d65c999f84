"""The parts of the journey the benchmark could not measure in this run, and why.

Each check looks at the app as it is (its steps, its routes, its modules), so a "not
measured yet" line turns into a question for the bench as soon as the part exists: the
reason then says what the benchmark still needs.
"""
from bench.stats import not_measured


def _endpoints(app, *words) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules()
                   if any(word in rule.endpoint.lower() or word in rule.rule.lower() for word in words)})


def sms_code(app, walk: dict) -> dict | None:
    """None when the walk went through the phone pages; else why not."""
    from wizard.signup import steps
    phone_steps = [s.name for s in steps.STEPS if "phone" in s.name or "sms" in s.name]
    pages = _endpoints(app, "phone.", "/inscription/telephone", "sms")
    if not phone_steps and not pages:
        return not_measured("the phone step (SMS code) does not exist yet: no phone step, no phone page")
    if "phone" in (walk.get("reached") or ()) or set(phone_steps) & set(walk.get("reached") or ()):
        return None
    return not_measured(f"phone pages exist ({', '.join(pages or phone_steps)}) but the walk did not go "
                        f"through them: it ends at {walk.get('end')} ({walk.get('stopped') or 'no redirect there'}); "
                        "see the handlers of AFTER_STEPS in bench/journey.py")


def activation(walk: dict) -> dict | None:
    if "activation" in (walk.get("reached") or ()):
        return None
    return not_measured(f"the walk did not reach activation: {walk.get('stopped') or 'no activation page'}")


def eligibility(walk: dict) -> dict | None:
    """None when the walk went through the eligibility check to its outcome; else why not."""
    if "eligibility" in (walk.get("reached") or ()):
        return None
    return not_measured(f"the walk did not reach the eligibility check's outcome: it ends at {walk.get('end')} "
                        f"({walk.get('stopped') or 'no redirect there'})")
