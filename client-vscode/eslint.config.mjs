// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "out/", "node_modules/", "*.vsix"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": "off",
      eqeqeq: ["error", "always"],
      curly: "error",
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "vscode", message: "Only the glue (extension.ts, middleware.ts, progress.ts, views.ts, python.ts) may import vscode; keep the logic pure." }] },
      ],
    },
  },
  {
    // The glue may import vscode; everything else stays testable under plain node.
    files: ["src/extension.ts", "src/middleware.ts", "src/progress.ts", "src/views.ts", "src/python.ts"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    // node:test's describe/it return promises that the runner awaits.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-floating-promises": "off" },
  },
  {
    files: ["**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
);
