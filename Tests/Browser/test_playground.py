"""Browser tests of the playground (GET /): Debian's chromium, driven through Debian's
chromium-driver by Selenium, against a live backprop-server on 127.0.0.1.

    python3 Tests/Browser/test_playground.py path/to/backprop-server

Every test loads the page afresh and fails on any console error (CSP violations are reported
there) and on any request to another origin. The numbers the page shows are compared with the
API's own answers to the same requests, sent from here. Screenshots go to .build/screenshots/
(BROWSER_SCREENSHOTS to change it).

BROWSER_V2 says what to do with the tests that need the v2 API (bias in /explain, optimizers):
`auto` (default) runs them when the server answers v2 requests and skips them otherwise, `1`
requires them (fails when the server does not support v2), `0` skips them.
"""
import json
import os
import re
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from server_under_test import ServerUnderTest  # noqa: E402
SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS", ROOT / ".build" / "screenshots"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
V2 = os.environ.get("BROWSER_V2", "auto")

TEXTBOOK = {
    "network": {"layers": [{"weights": [[0.15, 0.2], [0.25, 0.3]], "activation": "sigmoid"},
                           {"weights": [[0.4, 0.45], [0.5, 0.55]], "activation": "sigmoid"}]},
    "input": [0.05, 0.1],
    "target": [0.01, 0.99],
}
PAGE_LEARNING_RATE = 0.5  # the page's default η, as in the README's /step example


class Server:
    """backprop-server on 127.0.0.1, a free port, started and stopped the project's one way
    (scripts/server_under_test.py), with the requests the tests send it themselves."""

    def __init__(self, binary, *args):
        self.under_test = ServerUnderTest(binary, ["--quiet", *args], name="playground server")
        self.origin = self.under_test.url

    def post(self, path, body):
        request = urllib.request.Request(self.origin + path, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)

    def get(self, path):
        try:
            with urllib.request.urlopen(self.origin + path, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def stop(self):
        """SIGTERM; the server must exit 0 (the contract's graceful stop)."""
        code, _ = self.under_test.stop()
        if code != 0:
            raise RuntimeError(f"the server exited {code} after SIGTERM; its log: {self.under_test.stderr_path}")


def make_driver(width=1280, height=800):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-default-apps", "--hide-scrollbars", f"--window-size={width},{height}"):
        options.add_argument(flag)
    # Console messages (CSP violations among them) and the network events of the page.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    set_viewport(driver, width, height)
    return driver


def set_viewport(driver, width, height):
    """The page's own viewport exactly (the window size includes no browser chrome, headless or not)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


class PlaygroundCase(unittest.TestCase):
    server = None
    allowed_console = ()  # regular expressions of console errors a test expects

    @classmethod
    def setUpClass(cls):
        cls.driver = make_driver()

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()

    def setUp(self):
        self.driver.get("about:blank")
        self.driver.get_log("browser")       # drain what earlier tests left
        self.driver.get_log("performance")
        set_viewport(self.driver, 1280, 800)
        self.driver.get(self.server.origin + "/")
        self.wait(lambda d: self.loss_text() not in ("", "…"), "the page never showed a loss")

    def tearDown(self):
        errors = [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]
        unexpected = [m for m in errors if not any(re.search(p, m) for p in self.allowed_console)]
        self.assertEqual(unexpected[:5], [], f"{len(unexpected)} console error(s), the first five shown")
        foreign = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                url = message["params"]["request"]["url"]
                if not (url.startswith(self.server.origin + "/") or url.startswith(("data:", "blob:", "about:"))):
                    foreign.append(url)
        self.assertEqual(foreign[:5], [], f"{len(foreign)} request(s) to another origin, the first five shown")

    # ---- helpers ----

    def wait(self, condition, message, timeout=20):
        try:
            # The page redraws the diagram after every answer: an element found a moment ago may
            # be gone, and is looked up again on the next poll.
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05,
                                 ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(condition)
        except TimeoutException:
            self.fail(f"{message} (within {timeout} s)")

    def by_test_id(self, test_id):
        return self.driver.find_element(By.CSS_SELECTOR, f'[data-testid="{test_id}"]')

    def click(self, test_id):
        """Clicks the element after scrolling it to the middle of the view: the toolbar stays at
        the top of the window and would take a click meant for something scrolled under it.
        The page redraws the diagram after every answer, so an element found a moment ago can be
        gone by the time it is clicked: it is then looked up again (CI saw this after "backward")."""
        for _ in range(20):
            try:
                element = self.by_test_id(test_id)
                self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
                element.click()
                return
            except StaleElementReferenceException:
                time.sleep(0.05)
        self.fail(f"{test_id} was redrawn under every one of 20 clicks")

    def loss_text(self):
        return self.by_test_id("loss").text.strip()

    def loss(self):
        """The loss shown, or None while there is none (the page shows "…")."""
        try:
            return float(self.loss_text())
        except ValueError:
            return None

    def loss_below(self, bound):
        loss = self.loss()
        return loss is not None and loss < bound

    def set_field(self, element_id, value):
        field = self.driver.find_element(By.ID, element_id)
        field.clear()
        field.send_keys(str(value))
        field.send_keys(Keys.TAB)  # commits it: the page listens to `change`

    def typeset_text(self):
        """The text of the typeset derivation (KaTeX's HTML, not its MathML or TeX annotation),
        with KaTeX's minus sign (U+2212) read as "-" and its zero-width spaces dropped."""
        text = " ".join(e.get_attribute("textContent") for e in self.driver.find_elements(
            By.CSS_SELECTOR, '[data-testid="explanation"] .math .katex-html'))
        return text.replace("\u2212", "-").replace("\u200b", "")

    def shot(self, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.driver.execute_script("window.scrollTo(0, 0)")  # the page's top, whatever a click scrolled to
        self.driver.save_screenshot(str(SCREENSHOTS / name))

    def outside_the_diagram(self):
        """The diagram's texts, labels and units that do not lie wholly inside its viewBox."""
        return self.driver.execute_script("""
            const svg = document.querySelector('[data-testid=network]');
            const v = svg.viewBox.baseVal;
            const out = [];
            for (const e of svg.querySelectorAll('text, rect, circle')) {
                const b = e.getBBox();
                if (b.x < v.x - 0.5 || b.y < v.y - 0.5 || b.x + b.width > v.x + v.width + 0.5 || b.y + b.height > v.y + v.height + 0.5)
                    out.push(e.tagName + ' ' + (e.textContent || ''));
            }
            return out;""")

    def exported(self):
        self.click("export")
        return json.loads(self.by_test_id("json").get_attribute("value"))

    def train_until(self, condition, message, timeout=90):
        self.click("train")
        try:
            self.wait(lambda d: condition(), message, timeout)
        finally:
            self.click("train")
        self.wait(lambda d: self.by_test_id("train").get_attribute("aria-pressed") == "false", "training did not stop")
        self.wait(lambda d: not self.by_test_id("step").get_attribute("disabled"), "the buttons stayed disabled")


class TextbookTests(PlaygroundCase):
    """The preloaded example: the contract's 2-2-2 network, sample and loss."""

    def test_headers_keep_the_page_to_its_origin(self):
        for path in ("/", "/playground/app.js", "/playground/playground.css", "/katex/katex.min.js"):
            status, headers, _ = self.server.get(path)
            self.assertEqual(status, 200, path)
            self.assertEqual(headers.get("X-Content-Type-Options"), "nosniff", path)
            csp = headers.get("Content-Security-Policy", "")
            self.assertIn("default-src 'self'", csp, path)
            self.assertIn("script-src 'self'", csp, path)
            self.assertNotIn("unsafe-inline", csp, path)
            self.assertNotIn("http", csp, path)  # no other host named anywhere
        page = self.server.get("/")[2].decode()
        self.assertNotRegex(page, r"<script(?![^>]*\bsrc=)", "inline script in the page")
        self.assertNotRegex(page, r"\sstyle=|<style", "inline style in the page")
        self.assertNotRegex(page, r"(src|href)=\"(https?:)?//", "a reference to another host")

    def test_preloaded_network_and_loss(self):
        svg = self.by_test_id("network")
        self.assertEqual(svg.tag_name, "svg")
        for l in range(2):
            for j in range(2):
                for i in range(2):
                    label = self.by_test_id(f"weight-{l}-{j}-{i}")
                    value = TEXTBOOK["network"]["layers"][l]["weights"][j][i]
                    self.assertIn(f"= {value:g}", label.text)
        status, answer = self.server.post("/forward", {**TEXTBOOK, "loss": "half_sse"})
        self.assertEqual(status, 200)
        self.assertEqual(self.loss(), answer["loss"])  # 0.24251985734837728, digit for digit
        self.shot("textbook-1280x800.png")

    def test_click_weight_shows_typeset_derivation(self):
        self.click("weight-0-0-0")
        self.wait(lambda d: self.typeset_text(), "no typeset derivation after clicking weight-0-0-0")
        status, answer = self.server.post("/explain", {**TEXTBOOK, "loss": "half_sse", "learningRate": PAGE_LEARNING_RATE,
                                                       "weight": {"layer": 0, "unit": 0, "input": 0}})
        self.assertEqual(status, 200)
        gradient = repr(answer["gradient"])  # shortest round trip, as the server prints it
        self.assertGreaterEqual(len(gradient.lstrip("-0.").replace(".", "")), 6, "fewer than 6 significant digits")
        self.assertIn(gradient, self.typeset_text())
        self.assertIn(gradient, self.by_test_id("explanation-text").text)
        self.assertEqual(float(self.by_test_id("explanation-gradient").text), answer["gradient"])
        self.assertIn("selected", self.by_test_id("weight-0-0-0").get_attribute("class"))
        self.click("backward")
        self.wait(lambda d: "∂E/∂w" in self.by_test_id("weight-0-0-0").text, "no ∂E/∂w on the edge after Backward")
        self.assertEqual(self.outside_the_diagram(), [], "drawn outside the diagram (cut off)")
        self.assertEqual(len(re.findall("δ = ", self.by_test_id("network").get_attribute("textContent"))), 4, "a δ per unit")
        self.shot("explain-1280x800.png")

    def test_step_lowers_the_loss(self):
        before = self.loss()
        self.click("step")
        self.wait(lambda d: self.loss_below(before), "the loss did not fall after Step")
        status, answer = self.server.post("/step", {**TEXTBOOK, "loss": "half_sse", "learningRate": PAGE_LEARNING_RATE})
        self.assertEqual(status, 200)
        self.assertLess(self.loss(), before)
        self.assertEqual(self.loss(), answer["finalLoss"])
        self.assertEqual(self.by_test_id("steps-taken").text, "1")
        self.assertEqual(self.exported()["network"], answer["network"])

    def test_train_until_the_loss_halves(self):
        before = self.loss()
        self.train_until(lambda: self.loss_below(before / 2), "the loss did not halve")
        self.assertLessEqual(self.loss(), before / 2)
        points = self.driver.find_element(By.CSS_SELECTOR, '[data-testid="loss-curve"] polyline.train').get_attribute("points")
        self.assertGreater(len(points.split()), 10, "no loss curve")

    def test_settings_reach_the_requests(self):
        """Activation per layer, loss and learning rate, as a Step sends them."""
        Select(self.by_test_id("activation-1")).select_by_value("tanh")
        Select(self.driver.find_element(By.ID, "loss-function")).select_by_value("mse")
        self.set_field("learning-rate", 2)
        network = json.loads(json.dumps(TEXTBOOK["network"]))
        network["layers"][1]["activation"] = "tanh"
        _, forward = self.server.post("/forward", {**TEXTBOOK, "network": network, "loss": "mse"})
        self.wait(lambda d: self.loss() == forward["loss"], "the loss is not the tanh/mse network's")
        self.click("step")
        self.wait(lambda d: self.by_test_id("steps-taken").text == "1", "Step did not finish")
        _, step = self.server.post("/step", {**TEXTBOOK, "network": network, "loss": "mse", "learningRate": 2})
        self.assertEqual(self.exported()["network"], step["network"])
        self.assertEqual(self.loss(), step["finalLoss"])

    def test_copy_as_curl_gives_the_same_answer(self):
        self.click("step")
        self.wait(lambda d: self.by_test_id("steps-taken").text == "1", "Step did not finish")
        self.click("copy-curl")
        command = self.wait(lambda d: self.by_test_id("curl").get_attribute("value"), "no curl command")
        self.assertTrue(command.startswith(f"curl -s {self.server.origin}/step "), command)
        page_answer = json.loads(self.by_test_id("last-response").get_attribute("textContent"))
        run = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(json.loads(run.stdout), page_answer)
        self.assertIn("finalLoss", page_answer)

    def test_keyboard_selects_a_weight(self):
        for _ in range(40):
            ActionChains(self.driver).send_keys(Keys.TAB).perform()
            if self.driver.switch_to.active_element.get_attribute("data-testid") == "weight-0-0-0":
                break
        else:
            self.fail("Tab never reached weight-0-0-0")
        ActionChains(self.driver).send_keys(Keys.ENTER).perform()
        self.wait(lambda d: self.typeset_text(), "Enter on a focused weight did not explain it")
        self.assertEqual(self.driver.switch_to.active_element.get_attribute("data-testid"), "weight-0-0-0", "focus was lost")

    def test_typing_a_weight_recomputes(self):
        self.click("weight-1-0-1")
        field = self.wait(lambda d: self.by_test_id("selected-value"), "no value field")
        field.clear()
        field.send_keys("-1.5", Keys.ENTER)
        network = json.loads(json.dumps(TEXTBOOK["network"]))
        network["layers"][1]["weights"][0][1] = -1.5
        _, answer = self.server.post("/forward", {**TEXTBOOK, "network": network, "loss": "half_sse"})
        self.wait(lambda d: self.loss() == answer["loss"], "the loss is not the edited network's")
        self.assertIn("-1.5", self.by_test_id("weight-1-0-1").text)

    def test_typing_the_input_recomputes(self):
        self.set_field_by_test_id("input-0", "1")
        _, answer = self.server.post("/forward", {**TEXTBOOK, "input": [1, 0.1], "loss": "half_sse"})
        self.wait(lambda d: self.loss() == answer["loss"], "the loss is not the edited input's")

    def set_field_by_test_id(self, test_id, value):
        field = self.by_test_id(test_id)
        field.clear()
        field.send_keys(str(value), Keys.TAB)

    def test_init_from_a_seed(self):
        self.set_field("init-seed", 42)
        self.click("init")
        _, answer = self.server.post("/init", {"sizes": [2, 2, 2], "activations": ["sigmoid", "sigmoid"],
                                               "biases": False, "scheme": "xavier", "seed": 42})
        self.wait(lambda d: self.exported()["network"] == answer["network"], "the network is not /init's for seed 42")

    def test_export_then_import(self):
        exported = self.exported()
        exported["network"]["layers"][0]["weights"][1][0] = 0.75
        box = self.by_test_id("json")
        box.clear()
        box.send_keys(json.dumps(exported))
        self.click("import")
        self.wait(lambda d: "0.75" in self.by_test_id("weight-0-1-0").text, "the imported weight is not drawn")
        _, answer = self.server.post("/forward", {**TEXTBOOK, "network": exported["network"], "loss": "half_sse"})
        self.wait(lambda d: self.loss() == answer["loss"], "the loss is not the imported network's")

    def test_add_a_hidden_layer(self):
        self.driver.find_element(By.ID, "add-layer").click()
        self.wait(lambda d: len(self.exported()["network"]["layers"]) == 3, "no third layer")
        self.by_test_id("weight-2-1-1")  # drawn
        self.driver.find_element(By.ID, "reset").click()
        self.wait(lambda d: self.exported()["network"] == TEXTBOOK["network"], "Textbook did not restore the network")

    def test_phone_width(self):
        set_viewport(self.driver, 390, 844)
        self.driver.get(self.server.origin + "/")
        self.wait(lambda d: self.loss_text() not in ("", "…"), "no loss at phone width")
        self.click("weight-0-0-0")
        self.wait(lambda d: self.typeset_text(), "no derivation at phone width")
        width = self.driver.execute_script("return document.documentElement.scrollWidth")
        self.assertLessEqual(width, 390, "the page is wider than the phone (the diagram scrolls inside its panel)")
        self.shot("textbook-390x844.png")


class DataSetTests(PlaygroundCase):
    def choose(self, kind):
        Select(self.by_test_id("dataset")).select_by_value(kind)
        self.wait(lambda d: len(self.exported()["network"]["layers"]) == 3, "no 2-4-4-1 network for the data set")
        self.wait(lambda d: self.driver.find_element(By.ID, "heatmap-box").is_displayed(), "no heat map")

    def test_xor_to_a_low_loss(self):
        self.choose("xor")
        self.set_field("steps-per-call", 50)
        start = self.loss()
        self.train_until(lambda: self.loss_below(0.02), "XOR did not reach a loss below 0.02", timeout=120)
        self.assertLess(self.loss(), start / 5)
        # The heat map is drawn: its pixels are not all one colour.
        colours = self.driver.execute_script("""
            const c = document.querySelector('[data-testid=heatmap]');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            const seen = new Set();
            for (let k = 0; k < d.length; k += 4 * 97) seen.add(d[k] + ',' + d[k + 1] + ',' + d[k + 2]);
            return seen.size;""")
        self.assertGreater(colours, 10)
        self.click("backward")
        self.wait(lambda d: "δ = " in self.by_test_id("network").get_attribute("textContent"), "no δ after Backward")
        self.assertEqual(self.outside_the_diagram(), [], "drawn outside the diagram (cut off)")
        self.shot("xor-1280x800.png")

    def test_the_data_sets_generator_is_splitmix64(self):
        """The page's generator is /init's: SplitMix64, whose first outputs from seed 0 are
        the reference implementation's (Vigna's splitmix64.c)."""
        values = self.driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            import('/playground/datasets.js').then(m => {
                const r = new m.SplitMix64(0);
                done([r.next().toString(16), r.next().toString(16)]);
            }, e => done(String(e)));""")
        self.assertEqual(values, ["e220a8397b1dcdaf", "6e789e6aa1b965f4"])

    def test_every_data_set_draws(self):
        for kind in ("circle", "gaussians", "spiral"):
            Select(self.by_test_id("dataset")).select_by_value(kind)
            self.wait(lambda d: self.driver.find_element(By.ID, "heatmap-box").is_displayed(), f"no heat map for {kind}")
            self.click("step")
            self.wait(lambda d: self.by_test_id("steps-taken").text == "1", f"Step did not run on {kind}")
        self.shot("spiral-1280x800.png")


BIASED = {"layers": [{"weights": [[0.15, 0.2], [0.25, 0.3]], "biases": [0.35, 0.35]},
                     {"weights": [[0.4, 0.45], [0.5, 0.55]], "biases": [0.6, 0.6]}]}

# Each v2 feature the page uses, and a request that only a server that has it answers with 200.
V2_PROBES = {
    "bias": ("/explain", {**TEXTBOOK, "network": BIASED, "bias": {"layer": 0, "unit": 0}}),
    "regularization": ("/explain", {**TEXTBOOK, "weight": {"layer": 0, "unit": 0, "input": 0}, "regularization": {"l2": 0.01}}),
    "optimizer": ("/step", {**TEXTBOOK, "optimizer": "adam", "regularization": {"l2": 0.01}, "batchSize": 1,
                            "validation": {"input": TEXTBOOK["input"], "target": TEXTBOOK["target"]}}),
}


def needs_v2(feature):
    """Runs the test when the server has `feature` (BROWSER_V2=auto), requires it (1), or skips (0)."""
    def decorate(test):
        def run(self):
            if V2 == "0":
                self.skipTest("BROWSER_V2=0")
            path, body = V2_PROBES[feature]
            status, answer = self.server.post(path, body)
            if status != 200 or (feature == "optimizer" and "optimizer" not in answer):
                if V2 == "1":
                    self.fail(f"BROWSER_V2=1 but the server does not speak v2 {feature!r}: {status} {answer}")
                said = f"{status}" if status != 200 else "200 but ignored it"  # a v1 server ignores unknown fields
                self.skipTest(f"the server does not speak v2 {feature!r} yet ({path} answered {said})")
            test(self)
        run.__name__, run.__doc__ = test.__name__, test.__doc__
        return run
    return decorate


class V2Tests(PlaygroundCase):
    """Needs the v2 API: `bias` in /explain; `optimizer`, mini-batches, regularization and
    `validation` in /step (BROWSER_V2, see the top)."""

    @needs_v2("bias")
    def test_explain_a_bias(self):
        self.driver.find_element(By.ID, "init-biases").click()
        self.click("init")
        self.wait(lambda d: self.driver.find_elements(By.CSS_SELECTOR, '[data-testid="bias-0-0"]'), "no bias label")
        network = self.exported()["network"]
        self.click("bias-0-0")
        self.wait(lambda d: self.typeset_text(), "no typeset derivation for the bias")
        _, answer = self.server.post("/explain", {**TEXTBOOK, "network": network, "loss": "half_sse",
                                                  "learningRate": PAGE_LEARNING_RATE, "bias": {"layer": 0, "unit": 0}})
        self.assertIn(repr(answer["gradient"]), self.typeset_text())

    @needs_v2("regularization")
    def test_regularization_in_the_gradients_and_the_derivation(self):
        self.set_field("l2", 0.01)
        self.click("backward")
        self.click("weight-0-0-0")
        self.wait(lambda d: "λ" in self.typeset_text(), "no regularization term in the derivation")
        _, answer = self.server.post("/explain", {**TEXTBOOK, "loss": "half_sse", "learningRate": PAGE_LEARNING_RATE,
                                                  "regularization": {"l2": 0.01}, "weight": {"layer": 0, "unit": 0, "input": 0}})
        self.assertIn(repr(answer["gradient"]), self.typeset_text())
        self.wait(lambda d: "penalty" in self.by_test_id("loss-extra").text, "no penalty beside the loss")
        self.assertFalse(self.driver.find_element(By.ID, "status").is_displayed(), self.driver.find_element(By.ID, "status").text)

    @needs_v2("optimizer")
    def test_adam_state_travels_with_the_network(self):
        Select(self.by_test_id("optimizer")).select_by_value("adam")
        self.click("step")
        self.wait(lambda d: self.by_test_id("steps-taken").text == "1", "first step")
        self.click("step")
        self.wait(lambda d: self.by_test_id("steps-taken").text == "2", "second step")
        exported = self.exported()
        self.assertEqual(exported["optimizer"]["state"]["step"], 2)
        # The same two steps from here, passing network and optimizer along, give the same network.
        _, one = self.server.post("/step", {**TEXTBOOK, "loss": "half_sse", "learningRate": PAGE_LEARNING_RATE, "optimizer": "adam"})
        _, two = self.server.post("/step", {**TEXTBOOK, "network": one["network"], "loss": "half_sse",
                                            "learningRate": PAGE_LEARNING_RATE, "optimizer": one["optimizer"]})
        self.assertEqual(exported["network"], two["network"])
        # Back to the textbook, then the export imported: the third step goes on from the state.
        self.driver.find_element(By.ID, "reset").click()
        self.wait(lambda d: self.by_test_id("steps-taken").text == "0", "Textbook did not reset")
        self.assertEqual(Select(self.by_test_id("optimizer")).first_selected_option.get_attribute("value"), "sgd")
        box = self.by_test_id("json")
        box.clear()
        box.send_keys(json.dumps(exported))
        self.click("import")
        self.wait(lambda d: Select(self.by_test_id("optimizer")).first_selected_option.get_attribute("value") == "adam",
                  "the import did not bring the optimizer back")
        self.click("step")
        self.wait(lambda d: self.by_test_id("steps-taken").text == "1", "the step after the import")
        _, three = self.server.post("/step", {**TEXTBOOK, "network": two["network"], "loss": "half_sse",
                                              "learningRate": PAGE_LEARNING_RATE, "optimizer": two["optimizer"]})
        self.assertEqual(self.exported(), {"network": three["network"], "optimizer": three["optimizer"]})


    @needs_v2("optimizer")
    def test_minibatches_and_a_validation_set(self):
        Select(self.by_test_id("dataset")).select_by_value("xor")
        self.wait(lambda d: self.driver.find_element(By.ID, "heatmap-box").is_displayed(), "no heat map")
        self.driver.find_element(By.ID, "use-validation").click()
        self.set_field("batch-size", 10)
        self.set_field("steps-per-call", 20)
        self.train_until(lambda: int(self.by_test_id("steps-taken").text) >= 100, "100 steps")
        self.assertFalse(self.driver.find_element(By.ID, "status").is_displayed(), self.driver.find_element(By.ID, "status").text)
        points = self.driver.find_element(By.CSS_SELECTOR, '[data-testid="loss-curve"] polyline.validation').get_attribute("points")
        self.assertGreater(len(points.split()), 10, "no validation curve")
        self.assertIn("validation", self.by_test_id("loss-extra").text)
        request = json.loads(self.by_test_id("last-request").get_attribute("textContent").split("\n", 1)[1])
        self.assertEqual((request["batchSize"], request["shuffle"]), (10, True))
        self.assertIn("validation", request)
        self.assertGreaterEqual(request["optimizer"]["state"]["step"], 80, "the epochs go on across calls")


class WithoutKatexTests(PlaygroundCase):
    """A server without libjs-katex: the page still explains, as text. The only console errors
    allowed are the 404s of KaTeX's two files."""
    allowed_console = (r"/katex/katex\.min\.(js|css) - Failed to load resource: the server responded with a status of 404",)

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.binary, "--katex-directory", "/nonexistent-katex")
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.server.stop()

    def test_text_derivation_without_katex(self):
        self.click("weight-0-0-0")
        text = self.wait(lambda d: self.by_test_id("explanation-text").text, "no text derivation")
        _, answer = self.server.post("/explain", {**TEXTBOOK, "loss": "half_sse", "learningRate": PAGE_LEARNING_RATE,
                                                  "weight": {"layer": 0, "unit": 0, "input": 0}})
        self.assertIn(repr(answer["gradient"]), text)
        self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, ".katex"), [])
        self.assertIn("libjs-katex", self.by_test_id("explanation").text)
        self.shot("without-katex-1280x800.png")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: test_playground.py path/to/backprop-server")
    binary = os.path.abspath(sys.argv[1])
    server = Server(binary)
    try:
        for case in (TextbookTests, DataSetTests, V2Tests):
            case.server = server
        WithoutKatexTests.binary = binary
        suite = unittest.TestSuite()
        for case in (TextbookTests, DataSetTests, V2Tests, WithoutKatexTests):
            suite.addTests(unittest.defaultTestLoader.loadTestsFromTestCase(case))
        result = unittest.TextTestRunner(verbosity=2).run(suite)
    finally:
        server.stop()
    failed = len(result.failures) + len(result.errors)
    skipped = len(result.skipped)
    print(f"browser: {result.testsRun - failed - skipped} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed or not result.wasSuccessful() else 0)


if __name__ == "__main__":
    main()
