import { useId, type InputHTMLAttributes, type ReactNode, type Ref, type SelectHTMLAttributes } from 'react';

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  readonly label: string;
  readonly inputRef?: Ref<HTMLInputElement>;
  /** A line under the field, tied to it with aria-describedby. */
  readonly hint?: ReactNode;
}

export function Field({ label, inputRef, hint, ...input }: FieldProps) {
  const hintId = useId();
  return (
    <label className="field">
      <span>{label}</span>
      <input ref={inputRef} {...(hint === undefined ? {} : { 'aria-describedby': hintId })} {...input} />
      {hint !== undefined && <small id={hintId} className="hint">{hint}</small>}
    </label>
  );
}

interface SelectProps extends SelectHTMLAttributes<HTMLSelectElement> {
  readonly label: string;
  readonly children: ReactNode;
}

export function SelectField({ label, children, ...select }: SelectProps) {
  return (
    <label className="field">
      <span>{label}</span>
      <select {...select}>{children}</select>
    </label>
  );
}

/** A group of mutually exclusive choices drawn as buttons (radio inputs underneath, so arrows work). */
export function Segmented<T extends string>({ label, name, value, options, onChange }: {
  readonly label: string;
  readonly name: string;
  readonly value: T;
  readonly options: readonly { readonly value: T; readonly label: string }[];
  readonly onChange: (v: T) => void;
}) {
  return (
    <fieldset className="segmented">
      <legend>{label}</legend>
      {options.map((o) => (
        <label key={o.value} className={o.value === value ? `on seg-${o.value}` : ''}>
          <input type="radio" name={name} value={o.value} checked={o.value === value} onChange={() => onChange(o.value)} />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}
