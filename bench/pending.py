"""The parts of the journey the benchmark cannot measure yet, and why.

Each check looks at the app as it is (its steps, its routes, its modules), so a "not
measured yet" line turns into a question for the bench as soon as the part exists: the
reason then says what the benchmark still needs.
"""
import importlib.util

from bench.stats import not_measured


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _endpoints(app, *words) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules()
                   if any(word in rule.endpoint.lower() or word in rule.rule.lower() for word in words)})


def sms_code(app, walk: dict) -> dict | None:
    """None when the walk went through the phone pages; else why not."""
    from wizard import steps
    phone_steps = [s.name for s in steps.STEPS if "phone" in s.name or "sms" in s.name]
    pages = _endpoints(app, "phone.", "/inscription/telephone", "sms")
    if not phone_steps and not pages:
        return not_measured("the phone step (SMS code) does not exist yet: no phone step, no phone page")
    if "phone" in (walk.get("reached") or ()) or set(phone_steps) & set(walk.get("reached") or ()):
        return None
    return not_measured(f"phone pages exist ({', '.join(pages or phone_steps)}) but the walk does not go "
                        f"through them: it ends at {walk.get('end')} ({walk.get('stopped') or 'no redirect there'}); "
                        "bench/journey.py needs a handler in AFTER_STEPS (the code is in the outbox)")


def activation(walk: dict) -> dict | None:
    if "activation" in (walk.get("reached") or ()):
        return None
    return not_measured(f"the walk did not reach activation: {walk.get('stopped') or 'no activation page'}")


def eligibility_status(app) -> dict:
    found = _endpoints(app, "eligib", "verification-en-cours", "droits")
    if not found:
        return not_measured("the eligibility check and its status endpoint do not exist yet "
                            "(no route mentions eligibility)")
    return not_measured(f"eligibility pages exist ({', '.join(found)}) but the walk does not reach them yet, "
                        "so there is no status URL to poll: add their handlers to AFTER_STEPS in bench/journey.py, "
                        "then point bench.latency.poll_in_process and bench.load.polling at the status URL")


def eligibility_checks(app, runner: str) -> dict:
    if not _endpoints(app, "eligib", "verification-en-cours", "droits"):
        return not_measured(f"the eligibility check (its job and its status page) does not exist yet, so no "
                            f"500 checks on the {runner} runner; the insurer adapters "
                            "(wizard/services/insurer.py) and a 1-second stand-in (bench/insurer.py) are ready")
    if runner == "RQ" and not _module_exists("rq"):
        return not_measured("RQ is not installed: the RQ runner does not exist yet")
    return not_measured(f"the eligibility check exists but bench/ has no driver for the {runner} runner yet: "
                        "start 500 checks against bench.insurer.SlowInsurer (INSURER_API_URL) and time them")
