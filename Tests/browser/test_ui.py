"""Drives the web UI in a real browser (Debian's chromium and chromium-driver, Selenium from PyPI).

Run by scripts/browser-tests.sh against a running host; screenshots go to artifacts/screenshots/.
    python3 Tests/browser/test_ui.py BASE_URL SCREENSHOT_DIR TH_ORG_FOR_REFERRAL
"""
import os
import sys
import uuid

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

BASE, SHOTS = sys.argv[1], sys.argv[2]
os.makedirs(SHOTS, exist_ok=True)
PASSWORD = "correct horse battery"


def browser():
    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1400", "--lang=en"):
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"ok - {what}")


def shot(driver, name):
    driver.save_screenshot(os.path.join(SHOTS, f"{name}.png"))


def sign_in(driver, name):
    driver.get(f"{BASE}/ui/login")
    driver.find_element(By.NAME, "name").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()


def main():
    driver = browser()
    try:
        driver.get(f"{BASE}/ui/login")
        shot(driver, "01-login")
        sign_in(driver, "noy")
        check(driver.current_url.endswith("/ui/cases"), "a caseworker signs in and lands on the case list")
        shot(driver, "02-cases")

        # A new case with a screening.
        driver.find_element(By.LINK_TEXT, "New case").click()
        driver.find_element(By.NAME, "given_names").send_keys("Chanthavy")
        driver.find_element(By.NAME, "family_name").send_keys("Sisouphanh")
        driver.find_element(By.NAME, "citizenship").send_keys("LA")
        for field, value in (("acts", "recruitment"), ("acts", "transportation"), ("means", "deception"),
                             ("exploitation", "forced_labour"), ("ilo_indicators", "withholding_of_wages")):
            driver.find_element(By.CSS_SELECTOR, f"input[name={field}][value={value}]").click()
        Select(driver.find_element(By.NAME, "entry")).select_by_value("irregular")
        shot(driver, "03-new-case")
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        page = driver.page_source
        check("/ui/cases/" in driver.current_url and "Chanthavy Sisouphanh" in page, "the case is created from the form")
        check("identification.pathway: victim" in page, "the decision is shown")
        check("TH Anti-Trafficking in Persons Act" in page and "Legal basis" in page, "with its legal basis")
        case_url = driver.current_url
        shot(driver, "04-case-decision")

        # A referral with the person's consent.
        organisation = str(uuid.uuid4())
        driver.find_element(By.NAME, "to").send_keys(organisation)
        Select(driver.find_element(By.NAME, "service")).select_by_value("shelter")
        driver.find_element(By.NAME, "consent_services").click()
        driver.find_element(By.NAME, "consent_disclosure").click()
        driver.find_elements(By.CSS_SELECTOR, "main form button[type=submit]")[-1].click()
        check(f"shelter → {organisation}: in_progress" in driver.page_source, "a referral with consent is made")
        shot(driver, "05-referral")

        # Lao, then Thai labels.
        for lang, label in (("lo", "ຄະດີ"), ("th", "คดี")):
            Select(driver.find_element(By.NAME, "lang")).select_by_value(lang)
            driver.find_element(By.CSS_SELECTOR, "header form button[type=submit]").click()
            driver.get(case_url)
            html = driver.find_element(By.TAG_NAME, "html")
            check(html.get_attribute("lang") == lang and label in driver.page_source, f"the labels are in {lang}")
            shot(driver, f"06-case-{lang}")
            driver.get(f"{BASE}/ui/cases")
            shot(driver, f"07-cases-{lang}")
        Select(driver.find_element(By.NAME, "lang")).select_by_value("en")
        driver.find_element(By.CSS_SELECTOR, "header form button[type=submit]").click()

        # A caseworker of another jurisdiction is refused.
        driver.find_elements(By.CSS_SELECTOR, "header form button[type=submit]")[-1].click()
        sign_in(driver, "keo")
        driver.get(case_url)
        page = driver.page_source
        check("Chanthavy" not in page and "there is no case" in page, "a Lao caseworker is refused the Thai case")
        shot(driver, "08-refused")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
