"""The HTML report: escaped, self-contained, and clickable in a real headless Chromium."""

from __future__ import annotations

import json
import re
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
    # --whole-file: beam search over windows the VAD alone decides. Incremental front-lane cuts depend
    # on timing, and a 4 s first window cut there once heard "new links a month" without its unit.
    res = subprocess.run([EXE, "practice", "-q", "sd-url-shortener", "--answer-file", str(wav), "--no-speak",
                          "--speed", "4", "--whole-file", "--json"], capture_output=True, text=True, timeout=180)
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


def test_an_estimation_answer_shows_the_grade_and_each_step_clickable(bank):
    q = bank.question("est-url-shortener-rates")
    text = "A hundred million links a month is about four thousand writes a second, so 400,000 reads a second."
    report = analyse_answer(timed_transcript(text, wpm=140), bank, q.category, q)
    page = render_html(parse_attempt(json.loads(json.dumps(report.to_json()))), [], "answer.wav")
    assert "<h2>Your estimate</h2>" in page and "104x too high" in page
    assert page.count("class='cue miss step' data-verdict='off'") == 1
    assert "class='cue miss final' data-verdict='off'><b>✘</b> <span class='q seek' data-t=" in page


def test_a_story_s_result_is_quoted_or_its_absence_said(bank):
    for text, expected in [("Deploys took forty minutes. I rewrote it and deploy time went from forty minutes to "
                            "eight minutes.", "Result quantified: <span class='q seek'"),
                           ("I rewrote the pipeline and it got a lot quicker.", "Result not quantified")]:
        report = analyse_answer(timed_transcript(text, wpm=140), bank, "behavioral")
        page = render_html(parse_attempt(json.loads(json.dumps(report.to_json()))), [], "answer.wav")
        assert expected in page


def _with_voice(doc: dict) -> None:
    """A stored voice field: a monotone stretch, a trailing-off sentence with markup in it, curves."""
    doc["voice"] = {"pitch": {"median_hz": 120.0, "spread_st": 1.5}, "loudness": {"median_db": -24.0},
                    "monotone": [{"start": 2.0, "end": 18.0, "spread_st": 0.8}],
                    "quiet": [], "trailing_off": [{"start": 20.5, "end": 21.4, "text": EVIL, "drop_db": 14.0}],
                    "repetition": [{"phrase": "so", "count": 4}], "reliable": True,
                    "curve": {"step_s": 0.5, "pitch_hz": [None, 118.0, 121.0, 125.0] * 10,
                              "loudness_db": [-60.0, -25.0, -24.0, -30.0] * 10}}


def test_voice_curves_sit_under_the_timeline_with_clickable_flags(bank):
    doc = doc_for(bank, "Can I ask how many users? I assume 10 million users. We shard the database. " * 3,
                  _with_voice)
    page = render_html(doc, [], "answer.wav")
    assert page.index("id=timeline") < page.index("id=voice") < page.index("Checklist")
    assert "class=pitch-curve" in page and "class=loudness-curve" in page
    assert "class='voice-mark monotone-mark'" in page and "data-t='2.00'" in page
    assert "class='voice-mark trailing_off-mark'" in page and "data-t='20.50'" in page
    assert "<script>window" not in page and page.count("<script>") == 1
    assert "Monotone</b>: 0:02–0:18 (spread 0.8 st)" in page


def test_the_timeline_is_scaled_to_the_answer_with_the_target_marked(bank):
    """sd-url-shortener's target is minutes; a 20 s answer fills the width, the target said at the edge."""
    doc = doc_for(bank, "We shard the database by user and cache the hot reads in memory. " * 4)
    page = render_html(doc, [], "answer.wav")
    speech = [(float(x), float(w)) for x, w in re.findall(r"class=speech x='([\d.]+)' y=40 width='([\d.]+)'", page)]
    assert speech and max(x + w for x, w in speech) > 900  # the answer reaches the right edge
    assert "class=target-beyond" in page and "target " in page and "→" in page


@pytest.mark.slow
def test_a_flagged_voice_stretch_seeks_the_audio_in_chromium(tmp_path, user_dirs):
    """review of 30 s of flat espeak-ng speech: the monotone mark under the timeline seeks to its start."""
    from selenium.webdriver.common.by import By

    text = ("We store each message in a partitioned log on several brokers. Readers poll their partition and "
            "commit offsets when they finish. When a broker fails, a replica takes over within a few seconds. "
            "This keeps latency low for most users at peak load. We measured the tail latency with synthetic "
            "traffic last quarter. The cache absorbs most reads, so the database stays small. ")
    wav = tmp_path / "flat.wav"
    subprocess.run(["espeak-ng", "-m", "-w", str(wav), f'<speak><prosody range="x-low">{text * 2}</prosody></speak>'],
                   check=True)
    res = subprocess.run([EXE, "review", str(wav), "-c", "system_design", "--json"], capture_output=True, text=True,
                         timeout=180)
    assert res.returncode == 0, res.stderr
    voice = json.loads(res.stdout)["voice"]
    assert voice["reliable"] and voice["monotone"], voice
    page = Path(subprocess.run([EXE, "report", "last", "--html"], capture_output=True, text=True,
                               check=True).stdout.strip())
    driver = chromium_driver(tmp_path)
    try:
        driver.get(page.as_uri())
        deadline = time.monotonic() + 20
        while driver.execute_script("return document.getElementById('a').readyState") < 1:
            assert time.monotonic() < deadline, "audio never loaded"
            time.sleep(0.1)
        mark = driver.find_element(By.CSS_SELECTOR, "#voice .monotone-mark")
        driver.execute_script("arguments[0].scrollIntoView()", mark)
        mark.click()
        t = driver.execute_script("const a=document.getElementById('a'); a.pause(); return a.currentTime")
        assert t == pytest.approx(voice["monotone"][0]["start"], abs=0.3)
        assert driver.find_elements(By.CSS_SELECTOR, "#voice polyline.pitch-curve")
    finally:
        driver.quit()


def test_points_are_listed_and_marked_on_the_timeline_clickable(bank):
    from html import escape

    from voiceprep.testing import fake_detector

    q = bank.question("sd-news-feed")
    said = q.points[0].examples[0]
    report = analyse_answer(timed_transcript(f"Okay. {said}. {EVIL}.", wpm=140), bank, q.category, q,
                            detector=fake_detector())
    page = render_html(parse_attempt(json.loads(json.dumps(report.to_json()))), [], "answer.wav")
    made = sum(p.hit for p in report.points)
    assert f"<h2 id=points>Points {made}/{len(q.points)}</h2>" in page
    start = report.points[0].evidence[0].start
    assert page.count("class=point-mark") == made and "<polygon class=point-mark points='" in page
    assert f"fill='#8250df' data-t='{start:.2f}'" in page  # the mark seeks to the quote's moment
    assert f"<b>✔ {escape(q.points[0].text)}</b>" in page and "<b>✘ Missed:</b>" in page
    assert "<img" not in page


@pytest.mark.slow
def test_a_story_practised_on_the_real_model_is_checked_and_its_points_seek_the_audio(tmp_path, synth, user_dirs):
    """practice --story --answer-file on the real model: the story's bullets said are in report.json
    with their moments, and the page marks them on the timeline and lists them, clickable."""
    from selenium.webdriver.common.by import By

    prompts = tmp_path / "prompts"
    (prompts / "stories").mkdir(parents=True)
    (prompts / "stories" / "pubsub.md").write_text(
        "# Pub/sub event bus for payment notifications\nthemes: ownership, scale\n"
        "- S: MVP with a one-year user projection and 10x spikes from marketing airdrops\n"
        "- T: I owned the library design and the load tests\n"
        "- R: 10,000 sign-ups a day on the same infrastructure\n"
        "- Lesson: design for 10x from day one\n")
    wav = synth("So we were an MVP, with a projection of users for a year, and marketing airdrops that spiked "
                "traffic ten times. I owned the library design, and I wrote the load tests myself. "
                "In the end we handled ten thousand sign-ups a day on the same infrastructure.", "story-answer", wpm=150)
    res = subprocess.run([EXE, "practice", "--story", "pubsub", "--prompts", str(prompts), "--answer-file", str(wav),
                          "--no-speak", "--speed", "4", "--json"], capture_output=True, text=True, timeout=240)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    story = {p["id"]: p for p in doc["points"] if p["source"] == "story"}
    assert {k for k, p in story.items() if p["hit"]} >= {"t", "r"} and not story["lesson"]["hit"], story
    assert all(p["evidence"][0]["start"] is not None for p in story.values() if p["hit"])
    assert doc["story"]["id"] == "pubsub"
    page = Path(subprocess.run([EXE, "report", "last", "--html", "--prompts", str(prompts)], capture_output=True,
                               text=True, check=True).stdout.strip())
    driver = chromium_driver(tmp_path)
    try:
        driver.get(page.as_uri())
        assert driver.find_elements(By.CSS_SELECTOR, "#timeline .point-mark")
        assert "Points" in driver.find_element(By.ID, "points").text
        listed = driver.find_elements(By.CSS_SELECTOR, ".point .q.seek")
        assert listed
        driver.execute_script("arguments[0].scrollIntoView()", listed[-1])
        listed[-1].click()
        t = driver.execute_script("const a=document.getElementById('a'); a.pause(); return a.currentTime")
        assert t == pytest.approx(float(listed[-1].get_attribute("data-t")), abs=0.3)
    finally:
        driver.quit()
