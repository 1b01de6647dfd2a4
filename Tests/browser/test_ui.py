"""Drives the web UI in a real browser (Debian's chromium and chromium-driver, Selenium from PyPI).

Run by scripts/browser-tests.sh against a running host; screenshots go to artifacts/screenshots/.
    python3 Tests/browser/test_ui.py BASE_URL SCREENSHOT_DIR TH_ORG_FOR_REFERRAL
"""
import json
import os
import sys
import urllib.error
import urllib.request
import uuid

from axe_core_python.selenium import Axe
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE, SHOTS = sys.argv[1], sys.argv[2]
os.makedirs(SHOTS, exist_ok=True)
PASSWORD = "correct horse battery"


def browser():
    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1400", "--lang=en"):
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    # The pages forbid every script (Content-Security-Policy); the test's own, axe-core, is let through.
    driver.execute_cdp_cmd("Page.setBypassCSP", {"enabled": True})
    driver.set_script_timeout(60)
    return driver


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"ok - {what}")


def submit(driver, element):
    """Clicks a submit button or a link and waits for the next page, so that what follows reads that page
    and not the one before (a click returns before the browser has navigated)."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()

    def left(_):
        # The old page's root is gone: chromium says so as "stale element" or, at times, as an
        # inspector error about a node that no longer belongs to the document.
        try:
            old.is_enabled()
            return False
        except WebDriverException:
            return True
    WebDriverWait(driver, 15).until(left)


# The WCAG 2.1 levels every page must meet.
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def accessible(driver, name):
    """axe-core finds no violation of WCAG 2.1 A or AA on the page shown."""
    found = Axe().run(driver, options={"runOnly": {"type": "tag", "values": WCAG}})["violations"]
    details = "; ".join(f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}" for v in found)
    check(not found, f"{name}: no WCAG A/AA violation{': ' + details if found else ''}")


def shot(driver, name):
    """A screenshot of the page shown, which is checked for accessibility too."""
    driver.save_screenshot(os.path.join(SHOTS, f"{name}.png"))
    accessible(driver, name)


def sign_in(driver, name):
    driver.get(f"{BASE}/ui/login")
    driver.find_element(By.NAME, "name").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))


def api(driver, method, path, body=None):
    """A JSON API call as the browser's signed-in user: its session cookie, and the CSRF token for a change."""
    cookie = f"glo_session={driver.get_cookie('glo_session')['value']}"
    headers = {"Cookie": cookie}
    if method != "GET":
        session = urllib.request.urlopen(urllib.request.Request(f"{BASE}/session", headers=headers))
        headers["X-CSRF-Token"] = json.loads(session.read())["csrf_token"]
        headers["Content-Type"] = "application/json"
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(BASE + path, data=data, method=method, headers=headers)) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def returns_and_packet(driver):
    """A case with a return: made through the form, with the facts and the return through the API (the UI
    has no form for them yet); then its timeline and the handover packet preview in the browser."""
    driver.get(f"{BASE}/ui/cases/new")
    driver.find_element(By.NAME, "given_names").send_keys("Bounmy")
    driver.find_element(By.NAME, "family_name").send_keys("Keomany")
    driver.find_element(By.NAME, "citizenship").send_keys("LA")
    Select(driver.find_element(By.NAME, "entry")).select_by_value("regular")
    Select(driver.find_element(By.NAME, "identified_by")).select_by_value("police")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    case_url = driver.current_url
    case_id = case_url.rsplit("/", 1)[-1]
    check("None yet." in driver.page_source and "<td>case.opened</td>" in driver.page_source,
          "a new case's sections say none yet, and its timeline starts with case.opened")
    status, _ = api(driver, "POST", f"/api/v1/cases/{case_id}/facts", {"wishes_to_return": True, "return_risk": "low"})
    check(status == 200, "the person's wish to return is recorded")
    status, planned = api(driver, "POST", f"/api/v1/cases/{case_id}/returns", {"to": "LA"})
    check(status == 201, f"a voluntary return is planned: {planned}")
    receiving = str(uuid.uuid4())
    status, _ = api(driver, "POST", f"/api/v1/cases/{case_id}/consents", {"purpose": "return_handover", "recipients": [receiving]})
    check(status == 201, "the person's consent to the handover is recorded")
    status, _ = api(driver, "POST", f"/api/v1/returns/{planned['id']}/steps", {"step": "consent", "on": "2026-03-05"})
    check(status == 200, "the consent step is done")

    driver.get(case_url)
    page = driver.page_source
    check("Voluntary return: TH → LA" in page and "✓ Record the person" in page, "the return and its steps are on the case page")
    timeline = page[page.index('id="timeline"'):]
    order = [timeline.find(f"<td>{t}</td>") for t in ("case.opened", "screening.recorded", "facts.updated", "return.planned",
                                                         "consent.recorded", "return.step_done")]
    check(all(i >= 0 for i in order) and order == sorted(order), "the timeline lists the case's events in order")
    check("Bounmy" not in timeline, "the timeline shows no personal data")
    driver.get(case_url + "#returns")
    shot(driver, "10-case-return")
    driver.get(case_url + "#timeline")
    shot(driver, "11-case-timeline")

    driver.get(case_url)
    driver.find_element(By.CSS_SELECTOR, "form[action$='/packet'] input[name=to]").send_keys(receiving)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form[action$='/packet'] button[type=submit]"))
    page = driver.page_source
    check("/packet?to=" in driver.current_url and "Preview the handover packet" in page, "the packet preview opens from the case page")
    check("<td>Bounmy Keomany</td>" in page and "<td>narrative</td>" in page and "<td>low</td>" in page,
          "the packet shows the identity, the risk, and withholds the narrative")
    shot(driver, "12-packet-preview")
    driver.set_window_size(390, 844)
    shot(driver, "13-packet-preview-small")
    driver.get(f"{BASE}/ui")
    shot(driver, "14-dashboard-small")
    driver.set_window_size(1200, 1400)
    return f"{BASE}/ui/returns/{planned['id']}/packet?to={receiving}"


def main():
    driver = browser()
    try:
        driver.get(f"{BASE}/ui/login")
        shot(driver, "01-login")
        # The language can be chosen before signing in.
        submit(driver, driver.find_element(By.CSS_SELECTOR, "a[href='/ui/login?lang=lo']"))
        check(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "lo" and "ເຂົ້າສູ່ລະບົບ" in driver.page_source,
              "the sign-in page in Lao")
        shot(driver, "01b-login-lo")
        sign_in(driver, "noy")
        check(driver.current_url.endswith("/ui"), "a caseworker signs in and lands on the dashboard")
        page = driver.page_source
        check("Dashboard" in page and "Jurisdiction TH" in page and "open cases" in page and "Jurisdiction LA" not in page,
              "the dashboard shows the caseworker's jurisdiction only")
        shot(driver, "02-dashboard")
        submit(driver, driver.find_element(By.CSS_SELECTOR, "main a[href='/ui/cases']"))
        shot(driver, "02-cases")

        # A new case with a screening.
        submit(driver, driver.find_element(By.LINK_TEXT, "New case"))
        driver.find_element(By.NAME, "given_names").send_keys("Chanthavy")
        driver.find_element(By.NAME, "family_name").send_keys("Sisouphanh")
        driver.find_element(By.NAME, "citizenship").send_keys("LA")
        for field, value in (("acts", "recruitment"), ("acts", "transportation"), ("means", "deception"),
                             ("exploitation", "forced_labour"), ("ilo_indicators", "withholding_of_wages")):
            driver.find_element(By.CSS_SELECTOR, f"input[name={field}][value={value}]").click()
        Select(driver.find_element(By.NAME, "entry")).select_by_value("irregular")
        shot(driver, "03-new-case")
        submit(driver, driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        page = driver.page_source
        check("/ui/cases/" in driver.current_url and "Chanthavy Sisouphanh" in page, "the case is created from the form")
        check("Identification: Victim of trafficking" in page, "the decision is shown by its label")
        check("TH Anti-Trafficking in Persons Act" in page and "Legal basis" in page, "with its legal basis")
        case_url = driver.current_url
        shot(driver, "04-case-decision")
        # The case's facts, from the vocabulary: open the form, record two, see them shown by their labels.
        driver.find_element(By.CSS_SELECTOR, "#facts + details summary").click()
        Select(driver.find_element(By.NAME, "wishes_to_return")).select_by_value("true")
        driver.find_element(By.CSS_SELECTOR, "input[name=charges][value=illegal_exit]").click()
        shot(driver, "04b-case-facts-form")
        submit(driver, driver.find_element(By.CSS_SELECTOR, "form.facts button[type=submit]"))
        page = driver.page_source
        check("<th>Wishes to return home</th><td>Yes</td>" in page
              and "<td>Leaving the country without permission</td>" in page, "the case's facts are recorded and shown by their labels")

        # A referral with the person's consent.
        organisation = str(uuid.uuid4())
        driver.find_element(By.NAME, "to").send_keys(organisation)
        Select(driver.find_element(By.NAME, "service")).select_by_value("shelter")
        driver.find_element(By.NAME, "consent_services").click()
        driver.find_element(By.NAME, "consent_disclosure").click()
        submit(driver, driver.find_elements(By.CSS_SELECTOR, "main form button[type=submit]")[-1])
        check(f"shelter → {organisation}: in progress" in driver.page_source, "a referral with consent is made")
        shot(driver, "05-referral")
        page = driver.page_source
        check("<td>Forced labour</td>" in page and "<td>referral.made</td>" in page, "the screening (by its labels) and the timeline are on the case page")

        driver.get(f"{BASE}/ui")
        page = driver.page_source
        check("<strong>1</strong><br>open cases" in page and "<td>Identification</td>" in page,
              "the dashboard counts the new case and shows its decisions")
        menu = [a.get_attribute("href").split("/ui", 1)[-1] for a in driver.find_elements(By.CSS_SELECTOR, "header nav a")]
        check(menu == ["", "/cases", "/cases/new"], f"a caseworker's menu offers only what a caseworker may open: {menu}")
        # A page the role may not open: the refusal, and nothing else.
        driver.get(f"{BASE}/ui/dead-letters")
        page = driver.page_source
        check("role=\"alert\"" in page and "may not" in page and "<table" not in page and "No cases" not in page,
              "a refused page shows the refusal and nothing else")
        shot(driver, "09b-refused-page")
        shot(driver, "09-dashboard")
        packet_url = returns_and_packet(driver)

        # Lao, then Thai labels.
        for lang, label in (("lo", "ຄະດີ"), ("th", "คดี")):
            Select(driver.find_element(By.NAME, "lang")).select_by_value(lang)
            submit(driver, driver.find_element(By.CSS_SELECTOR, "header form button[type=submit]"))
            driver.get(case_url)
            html = driver.find_element(By.TAG_NAME, "html")
            check(html.get_attribute("lang") == lang and label in driver.page_source, f"the labels are in {lang}")
            shot(driver, f"06-case-{lang}")
            driver.get(f"{BASE}/ui/cases")
            shot(driver, f"07-cases-{lang}")
        Select(driver.find_element(By.NAME, "lang")).select_by_value("en")
        submit(driver, driver.find_element(By.CSS_SELECTOR, "header form button[type=submit]"))

        # A caseworker of another jurisdiction is refused.
        submit(driver, driver.find_elements(By.CSS_SELECTOR, "header form button[type=submit]")[-1])
        sign_in(driver, "keo")
        driver.get(case_url)
        page = driver.page_source
        check("Chanthavy" not in page and "there is no case" in page, "a Lao caseworker is refused the Thai case")
        shot(driver, "08-refused")
        driver.get(packet_url)
        page = driver.page_source
        check("Bounmy" not in page and "no return" in page, "and the Thai return's handover packet")
        shot(driver, "15-packet-refused")
        driver.get(f"{BASE}/ui")
        check("Jurisdiction LA" in driver.page_source and "Jurisdiction TH" not in driver.page_source,
              "the Lao caseworker's dashboard shows Laos only")

        # An administrator's pages.
        submit(driver, driver.find_elements(By.CSS_SELECTOR, "header form button[type=submit]")[-1])
        sign_in(driver, "ada")
        for path, name, text in (("/ui/plugins", "16-plugins", "identification"), ("/ui/dead-letters", "17-dead-letters", "Dead letters"),
                                 ("/ui/packs", "18-packs", "TH")):
            driver.get(BASE + path)
            check(text in driver.page_source, f"the administrator sees {path}")
            shot(driver, name)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
