"""The HTML report: escaped, self-contained, and clickable in a real headless Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from voiceprep.analysis.phases import Phase
from voiceprep.analysis.report import analyse_answer
from voiceprep.review.html import render_html
from voiceprep.storage.attempt import StoredAttempt, parse_attempt
from voiceprep.testing import timed_transcript

EXE = str(Path(sys.executable).parent / "voiceprep")
EVIL = "<script>window.__xss=1</script><img src=x onerror=window.__xss=2>"


def doc_for(bank, text: str, edit=lambda doc: None) -> StoredAttempt:
    """The attempt as it is read back from report.json (`edit` changes the document first)."""
    q = bank.question("sd-url-shortener")
    report = analyse_answer(timed_transcript(text, wpm=140), bank, q.category, q)
    doc = json.loads(json.dumps(report.to_json()))
    edit(doc)
    return parse_attempt(doc)


def evil(doc: dict) -> None:
    doc["question"]["text"] = EVIL
    doc["cues"][0]["tip"] = EVIL


def test_every_text_is_escaped(bank):
    doc = doc_for(bank, f"So, um, we shard it {EVIL} and the trade-off is cost.", evil)
    page = render_html(doc, [Phase(EVIL, 0.0, 1.0)], "answer.wav\"><script>")
    assert "<script>window" not in page and "<img" not in page and 'answer.wav"><script>' not in page
    assert page.count("<script>") == 1  # ours only
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page


def test_page_has_audio_timeline_pace_checklist_and_clickable_words(bank):
    doc = doc_for(bank, "Can I ask how many users? I assume 10 million users. We shard the database. " * 8)
    page = render_html(doc, [Phase("clarify", 0, 5), Phase("deep dive", 5, 20)], "answer.wav")
    assert '<audio id=a controls preload=auto src="answer.wav">' in page
    assert "id=timeline" in page and "class=phase" in page and "class=speech" in page and "class=cue-mark" in page
    assert "id=pace" in page and "clarify: 0:05" in page and "Checklist" in page
    assert page.count("class='w") == len(doc.words)
    assert "<link" not in page and "http" not in page  # self-contained


def chromium_driver(tmp_path):
    from selenium import webdriver

    assert shutil.which("chromium") and shutil.which("chromedriver"), "make test installs chromium and chromium-driver"
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required", "--allow-file-access-from-files",
                 f"--user-data-dir={tmp_path / 'chrome-profile'}", "--window-size=1200,1600"):
        opts.add_argument(flag)
    return webdriver.Chrome(options=opts, service=webdriver.ChromeService(shutil.which("chromedriver")))


@pytest.mark.slow
def test_clicking_a_word_seeks_the_audio_in_chromium(tmp_path, synth, user_dirs):
    from selenium.webdriver.common.by import By

    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "evil.toml").write_text('[[question]]\nid = "evil"\ncategory = "system_design"\n'
                                       f'text = "{EVIL.replace(chr(34), chr(39))} Design a cache."\ntarget_s = 60\n')
    wav = synth("So, um, can I ask how many users we expect? I assume ten million users. "
                "We put a cache in front of the database and shard it by user. "
                "The trade-off is stale reads.", "html-answer")
    res = subprocess.run([EXE, "review", str(wav), "-q", "evil", "--prompts", str(prompts), "--json"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    page = Path(subprocess.run([EXE, "report", "last", "--html", "--prompts", str(prompts)], capture_output=True,
                               text=True, check=True).stdout.strip())
    driver = chromium_driver(tmp_path)
    try:
        driver.get(page.as_uri())
        deadline = time.monotonic() + 20
        while driver.execute_script("return document.getElementById('a').readyState") < 1:
            assert time.monotonic() < deadline, "audio never loaded"
            time.sleep(0.1)
        assert driver.execute_script("return window.__xss") is None  # the question's script never ran
        assert "<script>window.__xss" in driver.find_element(By.TAG_NAME, "h1").text  # shown as text
        words = driver.find_elements(By.CSS_SELECTOR, "#transcript .w")
        target = words[len(words) // 2]
        start = float(target.get_attribute("data-t"))
        target.click()
        t = driver.execute_script("const a=document.getElementById('a'); a.pause(); return a.currentTime")
        assert t == pytest.approx(start, abs=0.3), (t, start)
        quote = driver.find_elements(By.CSS_SELECTOR, ".q.seek")[0]
        driver.execute_script("arguments[0].scrollIntoView()", quote)
        quote.click()
        t = driver.execute_script("const a=document.getElementById('a'); a.pause(); return a.currentTime")
        assert t == pytest.approx(float(quote.get_attribute("data-t")), abs=0.3)
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(tmp_path / "report.png"))
        assert (tmp_path / "report.png").stat().st_size > 10_000
    finally:
        driver.quit()


@pytest.mark.slow
def test_a_spoken_wrong_estimate_is_flagged_in_the_json_and_at_its_moment_in_the_page(tmp_path, synth, user_dirs):
    """practice --answer-file on the real model: the wrong rate conversion is in report.json with its
    arithmetic, and the page shows it on the timeline and in the Estimates list, clickable to its time."""
    from selenium.webdriver.common.by import By

    wav = synth("So, um, I'll assume a hundred million new links a month, which is four thousand links per second. "
                "Each link takes five hundred bytes, and we cache the hot ones.", "estimate-answer", wpm=150)
    res = subprocess.run([EXE, "practice", "-q", "sd-url-shortener", "--answer-file", str(wav), "--no-speak",
                          "--speed", "4", "--json"], capture_output=True, text=True, timeout=180)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    off = [c for c in doc["numbers"]["checks"] if c["verdict"] == "off"]
    assert off and off[0]["kind"] == "rate" and "not 4,000" in off[0]["explanation"], doc["numbers"]
    assert off[0]["start"] is not None and 2.0 < off[0]["start"] < doc["timing"]["duration_s"]
    page = Path(subprocess.run([EXE, "report", "last", "--html"], capture_output=True, text=True,
                               check=True).stdout.strip())
    driver = chromium_driver(tmp_path)
    try:
        driver.get(page.as_uri())
        marks = driver.find_elements(By.CSS_SELECTOR, "#timeline .estimate-mark")
        listed = driver.find_elements(By.CSS_SELECTOR, ".estimate[data-verdict='off'] .q.seek")
        assert marks and listed and "not 4,000" in listed[0].text
        driver.execute_script("arguments[0].scrollIntoView()", listed[0])
        listed[0].click()
        t = driver.execute_script("const a=document.getElementById('a'); a.pause(); return a.currentTime")
        assert t == pytest.approx(float(listed[0].get_attribute("data-t")), abs=0.3)
    finally:
        driver.quit()
