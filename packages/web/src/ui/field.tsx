import type { InputHTMLAttributes, Ref } from 'react';

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  readonly label: string;
  readonly inputRef?: Ref<HTMLInputElement>;
}

export function Field({ label, inputRef, ...input }: FieldProps) {
  return (
    <label className="field">
      <span>{label}</span>
      <input ref={inputRef} {...input} />
    </label>
  );
}
