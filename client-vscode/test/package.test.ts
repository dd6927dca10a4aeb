/** Extension hygiene: what the Marketplace and the Extensions view show, and what the sources point to. */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

// The tests run bundled from out/test or from test/: find client-vscode/package.json.
function root(): string {
  for (let dir = __dirname, i = 0; i < 5; i++, dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json")) && existsSync(path.join(dir, "src", "extension.ts"))) {
      return dir;
    }
  }
  throw new Error("client-vscode not found above the test");
}

const dir = root();
const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as Record<string, unknown>;

describe("package.json", () => {
  it("has an icon (a PNG that ships in the vsix), a repository, categories and a changelog", () => {
    assert.equal(typeof pkg.icon, "string");
    const icon = readFileSync(path.join(dir, pkg.icon as string));
    assert.deepEqual([...icon.subarray(1, 4)], [0x50, 0x4e, 0x47], "the icon is not a PNG");
    const ignore = readFileSync(path.join(dir, ".vscodeignore"), "utf8");
    assert.ok(ignore.includes(`!${pkg.icon as string}`) && ignore.includes("!CHANGELOG.md"));
    assert.ok((pkg.repository as { url?: string } | undefined)?.url);
    assert.ok(Array.isArray(pkg.categories) && (pkg.categories as string[]).length >= 2);
    assert.ok(existsSync(path.join(dir, "CHANGELOG.md")));
  });

  it("has a walkthrough whose pages ship in the vsix", () => {
    const walkthroughs = (pkg.contributes as { walkthroughs?: { steps: { media: { markdown?: string } }[] }[] }).walkthroughs;
    assert.ok(walkthroughs && walkthroughs.length === 1);
    for (const step of walkthroughs[0].steps) {
      assert.ok(step.media.markdown && existsSync(path.join(dir, step.media.markdown)), step.media.markdown);
    }
    assert.ok(readFileSync(path.join(dir, ".vscodeignore"), "utf8").includes("!walkthrough/*.md"));
  });

  it("declares every command the extension registers", () => {
    const declared = ((pkg.contributes as { commands: { command: string }[] }).commands).map((c) => c.command);
    const source = readdirSync(path.join(dir, "src")).map((f) => readFileSync(path.join(dir, "src", f), "utf8")).join("\n");
    for (const id of source.matchAll(/"(speedlens\.client\.\w+)"/g)) {
      assert.ok(declared.includes(id[1]), `${id[1]} is not in package.json`);
    }
  });

  it("sources point to the repository's docs, not to an internal design document", () => {
    for (const file of readdirSync(path.join(dir, "src"))) {
      assert.doesNotMatch(readFileSync(path.join(dir, "src", file), "utf8"), /DESIGN\.md/, file);
    }
  });
});
